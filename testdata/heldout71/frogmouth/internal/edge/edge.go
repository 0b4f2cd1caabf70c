//go:build js && wasm

// Package edge is the Worker in front of the platform: it resolves the
// function for a request, answers from the edge output cache when it can,
// and otherwise forwards the invocation to sandboxd.
package edge

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/d1"
	"github.com/syumai/workers/cloudflare/fetch"
	"github.com/syumai/workers/cloudflare/kv"
)

// kvMissing is what GetString returns for a key that does not exist: the
// binding resolves to null and syscall/js renders null this way.
const kvMissing = "<null>"

const (
	outputTTL        = 5 * time.Minute
	staleTTL         = 24 * time.Hour
	routeCacheTTL    = 300
	perIPPerMinute   = 600
	maxForwardedBody = 1 << 20
)

// FunctionConfig is written by the control plane when a version is promoted.
type FunctionConfig struct {
	Version   int    `json:"version"`
	Cacheable bool   `json:"cacheable"`
	Public    bool   `json:"public"`
	Origin    string `json:"origin"`
}

// Route maps a custom hostname to a function.
type Route struct {
	Tenant   string `json:"tenant"`
	Function string `json:"function"`
}

type bindings struct {
	routes  *kv.Namespace
	outputs *kv.Namespace
	state   *kv.Namespace
	db      *sql.DB
}

var (
	isolateID = strconv.FormatInt(time.Now().UnixNano(), 36)
	served    atomic.Int64
	client    = fetch.NewClient().HTTPClient(fetch.RedirectModeManual)
)

func open() (*bindings, error) {
	var b bindings
	var err error
	if b.routes, err = cloudflare.NewKVNamespace("ROUTES"); err != nil {
		return nil, err
	}
	if b.outputs, err = cloudflare.NewKVNamespace("OUTPUTS"); err != nil {
		return nil, err
	}
	if b.state, err = cloudflare.NewKVNamespace("EDGE_STATE"); err != nil {
		return nil, err
	}
	conn, err := d1.OpenConnector("DB")
	if err != nil {
		return nil, err
	}
	b.db = sql.OpenDB(conn)
	return &b, nil
}

// Handler returns the Worker's HTTP handler.
func Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/fn/{tenant}/{name}", func(w http.ResponseWriter, r *http.Request) {
		b, err := open()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		b.invoke(w, r, r.PathValue("tenant"), r.PathValue("name"))
	})
	mux.HandleFunc("GET /_admin/outputs/{tenant}/{name}", withBindings((*bindings).listOutputs))
	mux.HandleFunc("DELETE /_admin/outputs/{tenant}/{name}", withBindings((*bindings).purgeOutputs))
	mux.HandleFunc("POST /_preview/{tenant}/{name}", withBindings((*bindings).createPreview))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		b, err := open()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		route, ok, err := b.routeFor(r.Host)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		if !ok {
			http.NotFound(w, r)
			return
		}
		b.invoke(w, r, route.Tenant, route.Function)
	})
	return mux
}

func withBindings(h func(*bindings, http.ResponseWriter, *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b, err := open()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		h(b, w, r)
	}
}

// routeFor resolves a custom hostname.
func (b *bindings) routeFor(host string) (Route, bool, error) {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	v, err := b.routes.GetString("route:"+host, &kv.GetOptions{CacheTTL: routeCacheTTL})
	if err != nil {
		return Route{}, false, err
	}
	if v == "" { // EXPECT kvnull
		return Route{}, false, nil
	}
	var r Route
	if err := json.Unmarshal([]byte(v), &r); err != nil {
		return Route{}, false, err
	}
	return r, true, nil
}

func (b *bindings) config(tenant, name string) (FunctionConfig, error) {
	raw, err := b.routes.GetString("cfg:"+tenant+":"+name, &kv.GetOptions{CacheTTL: 60}) // EXPECT kvnull
	if err != nil {
		return FunctionConfig{}, err
	}
	var cfg FunctionConfig
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		return FunctionConfig{}, fmt.Errorf("config %s/%s: %w", tenant, name, err)
	}
	return cfg, nil
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	return "unknown"
}

// allowIP applies the per-address abuse limit in front of every function.
func (b *bindings) allowIP(ip string) (bool, error) {
	key := fmt.Sprintf("rl:%s:%d", ip, time.Now().Unix()/60)
	v, err := b.state.GetString(key, nil)
	if err != nil {
		return false, err
	}
	n := 0
	if v != kvMissing {
		n, _ = strconv.Atoi(v)
	}
	if n >= perIPPerMinute {
		return false, nil
	}
	return true, b.state.PutString(key, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: 120}) // EXPECT kvcounter|kvrace
}

func outputKey(tenant, name string, version int, r *http.Request, body []byte) string {
	h := sha256.New()
	h.Write([]byte(r.Method + " " + r.URL.RawQuery + "\n"))
	h.Write(body)
	return fmt.Sprintf("edge:%s:%s:%d:%s", tenant, name, version,
		base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:18]))
}

func (b *bindings) invoke(w http.ResponseWriter, r *http.Request, tenant, name string) {
	if ok, err := b.allowIP(clientIP(r)); err != nil || !ok {
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	}
	cfg, err := b.config(tenant, name)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxForwardedBody))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	key := outputKey(tenant, name, cfg.Version, r, body)
	if cfg.Cacheable {
		cached, err := b.outputs.GetString(key, &kv.GetOptions{CacheTTL: 10}) // EXPECT kvttl
		if err == nil && cached != kvMissing {
			w.Header().Set("X-Frogmouth-Cache", "edge")
			io.WriteString(w, cached)
			b.afterResponse(tenant, name)
			return
		}
	}

	out, status, err := forward(r, cfg.Origin, tenant, name, body)
	if err != nil || status >= 500 {
		stale, _ := b.state.GetString("stale:"+key, nil)
		if stale != "" { // EXPECT kvnull
			w.Header().Set("X-Frogmouth-Cache", "stale")
			io.WriteString(w, stale)
			return
		}
		http.Error(w, "function failed", http.StatusBadGateway)
		return
	}
	w.WriteHeader(status)
	w.Write(out)
	if cfg.Cacheable && status == http.StatusOK {
		cloudflare.WaitUntil(func() {
			_ = b.outputs.PutString(key, string(out), &kv.PutOptions{
				ExpirationTTL: int(outputTTL), // EXPECT kvttl
			})
			_ = b.state.PutString("stale:"+key, string(out), &kv.PutOptions{
				ExpirationTTL: int(staleTTL.Seconds()),
			})
		})
	}
	b.afterResponse(tenant, name)
}

// afterResponse does the bookkeeping that must not delay the response.
func (b *bindings) afterResponse(tenant, name string) {
	n := served.Add(1)
	cloudflare.WaitUntil(func() {
		_, _ = b.db.Exec(`INSERT INTO edge_usage (tenant, function, day, n) VALUES (?, ?, date('now'), 1)
			ON CONFLICT (tenant, function, day) DO UPDATE SET n = n + 1`, tenant, name)
		_ = b.state.PutString("edge:last-invocation", tenant+"/"+name+" "+time.Now().UTC().Format(time.RFC3339), nil) // EXPECT kvhotkey
		if n%100 == 0 {
			_ = b.state.PutString("views:isolate:"+isolateID, strconv.FormatInt(n, 10), &kv.PutOptions{ExpirationTTL: 86400}) // EXPECT kvcounter
		}
	})
}

func forward(r *http.Request, origin, tenant, name string, body []byte) ([]byte, int, error) {
	if origin == "" {
		origin = "https://sandbox.frogmouth.internal"
	}
	req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, origin+"/invoke/"+tenant+"/"+name, bytes.NewReader(body))
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Content-Type", r.Header.Get("Content-Type"))
	res, err := client.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	return out, res.StatusCode, err
}
