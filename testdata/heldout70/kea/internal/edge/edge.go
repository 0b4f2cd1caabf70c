//go:build js && wasm

// Package edge is the riders' Worker: fare quotes and trip status served
// from Workers KV at the edge.
package edge

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

const (
	// Binding is the KV namespace binding shared with the dispatch backend.
	Binding = "DISPATCH"

	quoteTTL       = 90
	holdSeconds    = 30
	surgeCacheTTL  = 15
	configCacheTTL = 300
	lastQuoteKey   = "edge:last-quote-at"
	ridersPerIP    = 30
	nullValue      = "<null>" // what GetString returns for a missing key
)

// Quote is a fare estimate handed to the rider app.
type Quote struct {
	ID        string  `json:"id"`
	Zone      string  `json:"zone"`
	City      string  `json:"city"`
	KM        float64 `json:"km"`
	Surge     float64 `json:"surge"`
	FareCents int64   `json:"fare_cents"`
	Expires   int64   `json:"expires"`
}

// Server holds the namespace for the request handlers.
type Server struct {
	ns *kv.Namespace
}

// New binds the Worker's KV namespace.
func New() (*Server, error) {
	ns, err := kv.NewNamespace(Binding)
	if err != nil {
		return nil, err
	}
	return &Server{ns: ns}, nil
}

// Routes registers the Worker's endpoints.
func (s *Server) Routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/quote", s.quote)
	mux.HandleFunc("/quote/hold", s.hold)
	mux.HandleFunc("/trip", s.tripStatus)
	mux.HandleFunc("/magic", s.magicLink)
	mux.HandleFunc("/quotes/recent", s.recentQuotes)
	mux.HandleFunc("/quotes/audit", s.auditQuotes)
	mux.HandleFunc("/zones", s.zones)
	mux.HandleFunc("/trips/recent", func(w http.ResponseWriter, r *http.Request) {
		out, err := s.recentStatuses(50)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		writeJSON(w, http.StatusOK, out)
	})
	return mux
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func newID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	return host
}

// allow counts quote requests per client IP.
func (s *Server) allow(r *http.Request) bool {
	key := "rl:edge:" + clientIP(r)
	v, err := s.ns.GetString(key, nil)
	if err != nil {
		return true
	}
	n := 0
	if v != nullValue {
		n, _ = strconv.Atoi(v)
	}
	if n >= ridersPerIP {
		return false
	}
	_ = s.ns.PutString(key, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: 60}) // EXPECT kvcounter|kvrace
	return true
}

// overQuota reads the daily per-rider total the backend publishes.
func (s *Server) overQuota(riderID string) bool {
	v, err := s.ns.GetString("quota:rider:"+riderID, &kv.GetOptions{CacheTTL: configCacheTTL})
	if err != nil || v == nullValue {
		return false
	}
	n, err := strconv.Atoi(v)
	return err == nil && n > 200
}

func (s *Server) surge(zone string) float64 {
	v, err := s.ns.GetString("surge:"+zone, &kv.GetOptions{CacheTTL: surgeCacheTTL}) // EXPECT kvttl
	if err != nil || v == "" {                                                       // EXPECT kvnull
		return 1
	}
	m, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 1
	}
	return m
}

func (s *Server) baseFare(city string) (perKM float64, flag float64) {
	v, _ := s.ns.GetString("fare:base:"+city, &kv.GetOptions{CacheTTL: configCacheTTL}) // EXPECT kvnull
	var rates struct {
		PerKM float64 `json:"per_km"`
		Flag  float64 `json:"flag"`
	}
	_ = json.Unmarshal([]byte(v), &rates)
	return rates.PerKM, rates.Flag
}

func (s *Server) quote(w http.ResponseWriter, r *http.Request) {
	if !s.allow(r) {
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	q := r.URL.Query()
	km, err := strconv.ParseFloat(q.Get("km"), 64)
	if err != nil || km <= 0 {
		http.Error(w, "km required", http.StatusBadRequest)
		return
	}
	if rider := r.Header.Get("X-Kea-Rider"); rider != "" && s.overQuota(rider) {
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	zone, city := q.Get("zone"), q.Get("city")
	perKM, flag := s.baseFare(city)
	m := s.surge(zone)
	quote := Quote{
		ID: newID(), Zone: zone, City: city, KM: km, Surge: m,
		FareCents: int64((flag + perKM*km) * m * 100),
		Expires:   time.Now().Add(quoteTTL * time.Second).Unix(),
	}
	body, _ := json.Marshal(quote)
	if err := s.ns.PutString("quote:"+quote.ID, string(body), &kv.PutOptions{ExpirationTTL: quoteTTL}); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	_ = s.ns.PutString(lastQuoteKey, strconv.FormatInt(time.Now().Unix(), 10), nil) // EXPECT kvhotkey
	writeJSON(w, http.StatusOK, quote)
}

// hold locks a quote's fare while the rider confirms the pickup pin.
func (s *Server) hold(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	v, err := s.ns.GetString("quote:"+id, nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if v == nullValue {
		http.NotFound(w, r)
		return
	}
	opts := &kv.PutOptions{}
	opts.ExpirationTTL = holdSeconds // EXPECT kvttl
	if err := s.ns.PutString("hold:"+id, v, opts); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"held": id, "for_s": holdSeconds})
}
