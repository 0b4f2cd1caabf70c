//go:build js && wasm

// Package edge holds the Worker's HTTP handlers: officer sign-in, handheld
// enrollment and sync, plate scans, visitor passes and zone look-ups.
package edge

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/fetch"

	"example.com/smew/internal/kvstore"
	"example.com/smew/internal/kvstore/workerkv"
	"example.com/smew/internal/permits"
	"example.com/smew/internal/routing"
)

const kvMissing = workerkv.Missing

// Lifetimes, parsed once when the Worker starts.
var (
	sessionTTL     = kvstore.MustDuration("8h")
	sessionRefresh = kvstore.MustDuration("15m")
	visitorScanTTL = kvstore.MustDuration("45s")
	graceWindow    = kvstore.MustDuration("10m")
	rulesCacheTTL  = kvstore.MustDuration("10m")
	pinLockout     = kvstore.MustDuration("15m")
	snapshotHold   = kvstore.MustDuration("45s")
)

var errUnauthenticated = statusError{http.StatusUnauthorized, errors.New("not signed in")}

// statusError carries the HTTP status for a handler error.
type statusError struct {
	status int
	err    error
}

func (e statusError) Error() string { return e.err.Error() }

func fail(status int, msg string) error { return statusError{status, errors.New(msg)} }

// bindings are the KV namespaces from wrangler.toml.
type bindings struct {
	sessions, devices, visitors, zones *cloudflare.KVNamespace
}

func bind(r *http.Request) (*bindings, error) {
	var b bindings
	for name, dst := range map[string]**cloudflare.KVNamespace{
		"SESSIONS": &b.sessions, "DEVICES": &b.devices, "VISITORS": &b.visitors, "ZONES": &b.zones,
	} {
		ns, err := cloudflare.NewKVNamespace(r.Context(), name)
		if err != nil {
			return nil, err
		}
		*dst = ns
	}
	return &b, nil
}

// Server routes requests to handlers.
type Server struct {
	reg    *kvstore.Registry
	routes *routing.Table
	mux    *http.ServeMux
}

// NewServer returns the Worker's handler. routes maps districts to their
// permit bindings.
func NewServer(reg *kvstore.Registry, routes *routing.Table) *Server {
	s := &Server{reg: reg, routes: routes, mux: http.NewServeMux()}
	s.handle("POST /officer/login", s.officerLogin)
	s.handle("POST /officer/logout", s.officerLogout)
	s.handle("POST /devices/enroll", s.enrollDevice)
	s.handle("GET /devices/sync", s.deviceSync)
	s.handle("GET /scan/{district}/{plate}", s.scanPlate)
	s.handle("POST /grace/{plate}", s.startGrace)
	s.handle("POST /visitor-passes", s.issueVisitorPass)
	s.handle("POST /cart/items", s.addToCart)
	s.handle("GET /magic", s.residentMagicLogin)
	s.handle("GET /zones", s.zoneDirectory)
	s.handle("GET /zones/live", s.liveMap)
	s.handle("GET /zones/boundaries", s.zoneBoundaries)
	s.handle("GET /zones/{zone}/rules", s.zoneRules)
	s.handle("GET /zones/{zone}/tariff", s.tariff)
	s.handle("GET /zones/{zone}/signage", s.signage)
	s.handle("POST /zones/{zone}/occupancy", s.sensorSnapshot)
	s.handle("POST /bays/{bay}/hold", s.holdBay)
	return s
}

// handle registers h for pattern; h gets the request's KV bindings and its
// error becomes a JSON error response.
func (s *Server) handle(pattern string, h func(http.ResponseWriter, *http.Request, *bindings) error) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		b, err := bind(r)
		if err == nil {
			err = h(w, r, b)
		}
		if err != nil {
			status := http.StatusBadGateway
			var se statusError
			if errors.As(err, &se) {
				status = se.status
			}
			writeJSON(w, status, map[string]string{"error": err.Error()})
		}
	})
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// setting returns a wrangler.toml variable, or def when it is unset.
func setting(ctx context.Context, name, def string) string {
	v := cloudflare.Getenv(ctx, name)
	if v == "" || v == "<undefined>" {
		return def
	}
	return v
}

// permits opens the permit store of a district through the registry.
func (s *Server) permits(r *http.Request, district string) (*permits.Store, error) {
	st, err := s.reg.Open(r.Context(), "kv://"+s.routes.District(district))
	if err != nil {
		return nil, err
	}
	return permits.NewStore(st), nil
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

func randomID(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// getJSON reads key into out and reports whether it existed.
func getJSON(ns *cloudflare.KVNamespace, key string, out any) (bool, error) {
	raw, err := ns.GetString(key, nil)
	if err != nil || raw == kvMissing {
		return false, err
	}
	return true, json.Unmarshal([]byte(raw), out)
}

// putJSON encodes v and writes it, expiring after ttl when ttl is positive.
func putJSON(ns *cloudflare.KVNamespace, key string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var opts *cloudflare.KVNamespacePutOptions
	if ttl > 0 {
		opts = &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(ttl.Seconds())}
	}
	return ns.PutString(key, string(b), opts)
}

// putCached writes a cache entry that lives for ttl, and never less than a
// minute.
func putCached(ns *cloudflare.KVNamespace, key string, v any, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return putJSON(ns, key, v, ttl)
}

// fetchURL GETs url through the Workers fetch API; paths starting with /
// go to the back office.
func fetchURL(ctx context.Context, url string) ([]byte, error) {
	if url[0] == '/' {
		url = setting(ctx, "ORIGIN_URL", "https://backoffice.smew.example.gov") + url
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := fetch.NewClient().HTTPClient(fetch.RedirectModeFollow).Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("edge: %s: %s", url, resp.Status)
	}
	return io.ReadAll(io.LimitReader(resp.Body, 4<<20))
}
