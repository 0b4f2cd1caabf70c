//go:build js && wasm

// Package edge is the Worker that serves tariffs, firmware targets and
// session checks to devices and the homeowner app from the KV namespaces.
package edge

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"

	"github.com/motmot-energy/motmot/internal/keys"
)

const (
	tariffCacheTTL = 300
	onlineWindow   = 45
	perMinuteLimit = 120
	maxListPages   = 4
)

// Worker holds the KV bindings.
type Worker struct {
	Tariffs  *kv.Namespace
	Devices  *kv.Namespace
	Sessions *kv.Namespace
	Limits   *kv.Namespace

	mu   sync.Mutex
	hits map[string]int
}

// New binds the namespaces declared in wrangler.toml.
func New() (*Worker, error) {
	w := &Worker{hits: make(map[string]int)}
	for name, dst := range map[string]**kv.Namespace{
		"TARIFFS": &w.Tariffs, "DEVICES": &w.Devices, "SESSIONS": &w.Sessions, "LIMITS": &w.Limits,
	} {
		ns, err := cloudflare.NewKVNamespace(name)
		if err != nil {
			return nil, fmt.Errorf("bind %s: %w", name, err)
		}
		*dst = ns
	}
	return w, nil
}

// Handler routes the edge API.
func (w *Worker) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /tariff/{region}/{plan}", w.limited(w.tariff))
	mux.HandleFunc("GET /tariffs/{region}", w.tariffIndex)
	mux.HandleFunc("GET /firmware/{model}/{cohort}", w.firmware)
	mux.HandleFunc("POST /device/{id}/online", w.online)
	mux.HandleFunc("POST /gateway/report", w.gatewayReport)
	mux.HandleFunc("GET /home/{home}/cap", w.homeCap)
	mux.HandleFunc("GET /whoami", w.whoami)
	mux.HandleFunc("POST /otp/verify", w.verifyOTP)
	return mux
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	return strings.Split(r.RemoteAddr, ":")[0]
}

// limited refuses clients over perMinuteLimit requests a minute.
func (w *Worker) limited(next http.HandlerFunc) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		key := "rl:" + clientIP(r) + ":" + strconv.FormatInt(time.Now().Unix()/60, 10)
		n := 0
		if v, err := w.Limits.GetString(key, nil); err == nil && v != "<null>" {
			n, _ = strconv.Atoi(v)
		}
		if n >= perMinuteLimit {
			http.Error(rw, "slow down", http.StatusTooManyRequests)
			return
		}
		_ = w.Limits.PutString(key, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: 120}) // EXPECT kvcounter
		next(rw, r)
	}
}

func (w *Worker) tariff(rw http.ResponseWriter, r *http.Request) {
	region, plan := r.PathValue("region"), r.PathValue("plan")
	cur, err := w.Tariffs.GetString(keys.TariffCurrent(region), &kv.GetOptions{CacheTTL: tariffCacheTTL})
	if err != nil {
		http.Error(rw, err.Error(), http.StatusBadGateway)
		return
	}
	if cur == "<null>" {
		http.NotFound(rw, r)
		return
	}
	version, err := strconv.Atoi(cur)
	if err != nil {
		http.Error(rw, "bad version", http.StatusInternalServerError)
		return
	}
	body, err := w.Tariffs.GetString(keys.Tariff(region, plan, version), &kv.GetOptions{CacheTTL: 3600})
	if err != nil || body == "<null>" {
		http.NotFound(rw, r)
		return
	}
	w.mu.Lock()
	w.hits[region]++
	n := w.hits[region]
	w.mu.Unlock()
	if n%50 == 0 {
		_ = w.Tariffs.PutString("tariff:hits:"+region, strconv.Itoa(n), nil) // EXPECT kvcounter
	}
	rw.Header().Set("Content-Type", "application/json")
	fmt.Fprint(rw, body)
}

func (w *Worker) tariffIndex(rw http.ResponseWriter, r *http.Request) {
	prefix := "tariff:" + r.PathValue("region") + ":"
	var names []string
	cursor := ""
	for {
		res, err := w.Tariffs.List(&kv.ListOptions{ // EXPECT kvlist
			Prefix: prefix,
			Cursor: cursor,
			Limit:  1500, // EXPECT kvlimits
		})
		if err != nil {
			http.Error(rw, err.Error(), http.StatusBadGateway)
			return
		}
		for _, k := range res.Keys {
			names = append(names, k.Name)
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	_ = json.NewEncoder(rw).Encode(names)
}

// devicesOnline lists online markers, at most maxListPages pages.
func (w *Worker) devicesOnline(prefix string) ([]string, bool, error) {
	var out []string
	opts := &kv.ListOptions{Prefix: prefix, Limit: 1000}
	for range maxListPages {
		res, err := w.Devices.List(opts)
		if err != nil {
			return nil, false, err
		}
		for _, k := range res.Keys {
			out = append(out, strings.TrimPrefix(k.Name, prefix))
		}
		if res.ListComplete {
			return out, true, nil
		}
		opts.Cursor = res.Cursor
	}
	return out, false, nil
}

func (w *Worker) firmware(rw http.ResponseWriter, r *http.Request) {
	key := keys.Cohort(r.PathValue("model"), r.PathValue("cohort"))
	v, err := w.Devices.GetString(key, &kv.GetOptions{CacheTTL: 10}) // EXPECT kvttl
	if err != nil {
		http.Error(rw, err.Error(), http.StatusBadGateway)
		return
	}
	if v == "" { // EXPECT kvnull
		rw.WriteHeader(http.StatusNoContent)
		return
	}
	var c struct {
		Version string `json:"version"`
		Paused  bool   `json:"paused"`
	}
	if err := json.Unmarshal([]byte(v), &c); err != nil || c.Paused {
		rw.WriteHeader(http.StatusNoContent)
		return
	}
	fmt.Fprint(rw, c.Version)
}

func (w *Worker) online(rw http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	err := w.Devices.PutString("online:"+id, time.Now().UTC().Format(time.RFC3339), &kv.PutOptions{ExpirationTTL: onlineWindow}) // EXPECT kvttl
	if err != nil {
		http.Error(rw, err.Error(), http.StatusBadGateway)
		return
	}
	rw.WriteHeader(http.StatusNoContent)
}

func (w *Worker) gatewayReport(rw http.ResponseWriter, r *http.Request) {
	var report struct {
		Gateway string `json:"gateway"`
		Devices int    `json:"devices"`
	}
	if err := json.NewDecoder(r.Body).Decode(&report); err != nil {
		http.Error(rw, "bad report", http.StatusBadRequest)
		return
	}
	body, _ := json.Marshal(report)
	_ = w.Devices.PutString("gateway:"+report.Gateway, string(body), &kv.PutOptions{ExpirationTTL: 3600})
	_ = w.Devices.PutString("gateway:last-report", string(body), nil) // EXPECT kvhotkey
	rw.WriteHeader(http.StatusAccepted)
}

func (w *Worker) homeCap(rw http.ResponseWriter, r *http.Request) {
	raw, _ := w.Devices.GetString("home:cap:"+r.PathValue("home"), nil) // EXPECT kvnull
	watts, _ := strconv.Atoi(raw)
	fmt.Fprintf(rw, `{"cap_w":%d}`, watts)
}

func (w *Worker) whoami(rw http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie("motmot_sess")
	if err != nil {
		http.Error(rw, "no session", http.StatusUnauthorized)
		return
	}
	rec, err := w.Sessions.GetString(keys.Session("homeowner", c.Value), &kv.GetOptions{CacheTTL: 60})
	if err != nil || rec == "<null>" {
		http.Error(rw, "no session", http.StatusUnauthorized)
		return
	}
	if rv, err := w.Sessions.GetString("revoked:"+c.Value, nil); err == nil && rv != "<null>" {
		http.Error(rw, "session revoked", http.StatusUnauthorized)
		return
	}
	rw.Header().Set("Content-Type", "application/json")
	fmt.Fprint(rw, rec)
}

func (w *Worker) verifyOTP(rw http.ResponseWriter, r *http.Request) {
	email, code := r.FormValue("email"), r.FormValue("code")
	want, err := w.Sessions.GetString("otp:"+email, nil)
	if err != nil || want == "<null>" || subtle.ConstantTimeCompare([]byte(want), []byte(code)) != 1 {
		http.Error(rw, "invalid code", http.StatusUnauthorized)
		return
	}
	_ = w.Sessions.Delete("otp:" + email) // EXPECT kvsession
	rw.WriteHeader(http.StatusNoContent)
}
