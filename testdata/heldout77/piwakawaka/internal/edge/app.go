//go:build js && wasm

// Package edge is the Worker in front of the backend: it takes GitHub's
// webhooks, serves status badges and live log tails, registers runners and
// keeps the runner fleet view fresh from a cron trigger and a queue.
package edge

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/d1"
	"github.com/syumai/workers/cloudflare/fetch"
)

// App holds the Worker's bindings.
type App struct {
	cache  *cloudflare.KVNamespace // EDGE_CACHE
	limits *cloudflare.KVNamespace // LIMITS
	auth   *cloudflare.KVNamespace // AUTH
	logs   *cloudflare.KVNamespace // LOGS
	db     *sql.DB
	origin string
	client *http.Client
	mux    *http.ServeMux
}

// New binds the namespaces and the D1 database declared in wrangler.toml.
func New() (*App, error) {
	a := &App{origin: cloudflare.Getenv("ORIGIN_URL")}
	var err error
	for name, dst := range map[string]**cloudflare.KVNamespace{
		"EDGE_CACHE": &a.cache,
		"LIMITS":     &a.limits,
		"AUTH":       &a.auth,
		"LOGS":       &a.logs,
	} {
		if *dst, err = cloudflare.NewKVNamespace(name); err != nil {
			return nil, err
		}
	}
	conn, err := d1.OpenConnector("FLEET_DB")
	if err != nil {
		return nil, err
	}
	a.db = sql.OpenDB(conn)
	a.client = fetch.NewClient().HTTPClient(fetch.RedirectModeFollow)

	a.mux = http.NewServeMux()
	a.mux.HandleFunc("POST /hooks/github", a.githubHook)
	a.mux.HandleFunc("GET /badge/{owner}/{repo}", a.badge)
	a.mux.HandleFunc("POST /builds/{id}/tail-tickets", a.tailTicket)
	a.mux.HandleFunc("GET /builds/{id}/tail", a.tail)
	a.mux.HandleFunc("GET /builds/{id}/status", a.buildStatus)
	a.mux.HandleFunc("POST /runners/register", a.registerRunner)
	a.mux.HandleFunc("GET /runners/{id}/config", a.runnerConfig)
	a.mux.HandleFunc("POST /tokens/revoke", a.revoke)
	a.mux.HandleFunc("GET /flags/{name}", a.flag)
	a.mux.HandleFunc("GET /cache/{org}/{key}", a.cacheManifest)
	return a, nil
}

func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	seen := fmt.Sprintf(`{"at":%d,"path":%q}`, time.Now().Unix(), r.URL.Path)
	_ = a.cache.PutString("edge/last-request", seen, nil) // EXPECT kvhotkey
	a.mux.ServeHTTP(w, r)
}

func (a *App) forward(w http.ResponseWriter, r *http.Request, path string) {
	req, err := http.NewRequestWithContext(r.Context(), r.Method, a.origin+path, r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	req.Header = r.Header.Clone()
	res, err := a.client.Do(req)
	if err != nil {
		http.Error(w, "origin unavailable", http.StatusBadGateway)
		return
	}
	defer res.Body.Close()
	for k, v := range res.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(res.StatusCode)
	_, _ = io.Copy(w, res.Body)
}

const hookBurst = 300

// allowHook admits at most hookBurst webhook deliveries per minute from one
// source address.
func (a *App) allowHook(ip string) (bool, error) {
	window := time.Now().UTC().Truncate(time.Minute).Unix()
	key := fmt.Sprintf("rl/hooks/%s/%d", ip, window)
	v, err := a.limits.GetString(key, nil)
	if err != nil {
		return false, err
	}
	n := 0
	if v != "" { // EXPECT kvnull
		if n, err = strconv.Atoi(v); err != nil {
			return false, err
		}
	}
	if n >= hookBurst {
		return false, nil
	}
	if err := a.limits.PutString(key, strconv.Itoa(n+1), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 120}); err != nil { // EXPECT kvcounter|kvrace
		return false, err
	}
	return true, nil
}

func (a *App) githubHook(w http.ResponseWriter, r *http.Request) {
	ok, err := a.allowHook(r.Header.Get("CF-Connecting-IP"))
	if err != nil {
		http.Error(w, "rate limiter unavailable", http.StatusServiceUnavailable)
		return
	}
	if !ok {
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	}
	a.forward(w, r, "/github/webhook")
}

// flag returns the rollout percentage of a feature flag for the runner
// agent and the dashboard.
func (a *App) flag(w http.ResponseWriter, r *http.Request) {
	v, err := a.cache.GetString("flags/"+r.PathValue("name"), &cloudflare.KVNamespaceGetOptions{CacheTTL: 300}) // EXPECT kvnull
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	pct, err := strconv.Atoi(v)
	if err != nil {
		http.Error(w, "bad flag value", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]int{"rollout": min(max(pct, 0), 100)})
}
