// Command lockerd is the backend API: receipts, site registration and the
// occupancy feed published to the edge.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/limpkin-lockers/limpkin/internal/audit"
	"github.com/limpkin-lockers/limpkin/internal/kvx"
	"github.com/limpkin-lockers/limpkin/internal/receipts"
	"github.com/limpkin-lockers/limpkin/internal/restkv"
)

type server struct {
	ns       restkv.Namespace
	receipts receipts.Store

	mu      sync.Mutex
	dropped map[string]int
}

// flushers run at shutdown, last registered first.
var flushers []func(context.Context) error

func onExit(f func(context.Context) error) { flushers = append(flushers, f) }

func runFlushers(ctx context.Context) error {
	var errs []error
	for _, f := range slices.Backward(flushers) {
		errs = append(errs, f(ctx))
	}
	return errors.Join(errs...)
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	ns := restkv.New(os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID"), os.Getenv("KV_LOCKERS_ID"))
	s := &server{ns: ns, receipts: receipts.Store{NS: ns}, dropped: map[string]int{}}
	onExit(s.flushDropped)
	onExit(func(ctx context.Context) error {
		return ns.Put(ctx, "lockerd:last-shutdown", []byte(time.Now().UTC().Format(time.RFC3339)), 30*24*time.Hour)
	})

	mux := http.NewServeMux()
	mux.HandleFunc("GET /receipts/{site}/{parcel}", s.getReceipt)
	mux.HandleFunc("POST /receipts", s.postReceipt)
	mux.HandleFunc("POST /sites/claim", s.claimSlug)
	mux.HandleFunc("POST /sites/{site}/occupancy", s.publishOccupancy)
	mux.HandleFunc("GET /audit/export", s.exportAudit)

	srv := &http.Server{Addr: ":8080", Handler: mux, BaseContext: func(net.Listener) context.Context { return ctx }}
	go func() {
		if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Fatal(err)
		}
	}()
	<-ctx.Done()

	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdownCtx)
	if err := runFlushers(shutdownCtx); err != nil {
		log.Printf("lockerd: flush: %v", err)
	}
}

func (s *server) flushDropped(ctx context.Context) error {
	s.mu.Lock()
	pending := s.dropped
	s.dropped = map[string]int{}
	s.mu.Unlock()
	var errs []error
	for site, n := range pending {
		errs = append(errs, s.ns.Put(ctx, "parcels:dropped:"+site, []byte(strconv.Itoa(n)), 0)) // EXPECT kvcounter
	}
	return errors.Join(errs...)
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	return host
}

// allow applies the per-IP limit on receipt lookups.
func (s *server) allow(ctx context.Context, r *http.Request, limit int) (bool, error) {
	minute := time.Now().UTC().Truncate(time.Minute)
	key := "ratelimit:" + kvx.Opaque([]byte(clientIP(r))) + ":" + strconv.FormatInt(minute.Unix(), 10)
	hits := 0
	raw, err := s.ns.Get(ctx, key)
	switch {
	case errors.Is(err, restkv.ErrNotFound):
	case err != nil:
		return false, err
	default:
		hits, _ = strconv.Atoi(string(raw))
	}
	if hits >= limit {
		return false, nil
	}
	return true, s.ns.Put(ctx, key, []byte(strconv.Itoa(hits+1)), 2*time.Minute) // EXPECT kvcounter|kvrace
}

func (s *server) getReceipt(w http.ResponseWriter, r *http.Request) {
	ok, err := s.allow(r.Context(), r, 60)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if !ok {
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	}
	parcel, err := strconv.ParseInt(r.PathValue("parcel"), 10, 64)
	if err != nil {
		http.Error(w, "bad parcel", http.StatusBadRequest)
		return
	}
	rec, err := s.receipts.View(r.Context(), r.PathValue("site"), parcel)
	if errors.Is(err, restkv.ErrNotFound) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	_ = json.NewEncoder(w).Encode(rec)
}

func (s *server) postReceipt(w http.ResponseWriter, r *http.Request) {
	var rec receipts.Receipt
	if err := json.NewDecoder(r.Body).Decode(&rec); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err := s.receipts.Record(context.WithoutCancel(r.Context()), rec); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	s.mu.Lock()
	s.dropped[rec.Site]++
	s.mu.Unlock()
	link, err := s.receipts.PreviewLink(r.Context(), rec)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(map[string]string{"preview": link})
}

// claimSlug registers a public slug for a new locker site.
func (s *server) claimSlug(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Slug string `json:"slug"`
		Site string `json:"site"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Slug == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	key := "site-slug:" + body.Slug
	if _, err := s.ns.Get(r.Context(), key); err == nil {
		http.Error(w, "slug taken", http.StatusConflict)
		return
	} else if !errors.Is(err, restkv.ErrNotFound) {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if err := s.ns.Put(r.Context(), key, []byte(body.Site), 0); err != nil { // EXPECT kvrace
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusCreated)
}

// occupancy is reported by the site controller from its own door sensors.
type occupancy struct {
	Doors  int       `json:"doors"`
	Loaded int       `json:"loaded"`
	AsOf   time.Time `json:"as_of"`
}

func (s *server) publishOccupancy(w http.ResponseWriter, r *http.Request) {
	site := r.PathValue("site")
	var o occupancy
	if err := json.NewDecoder(r.Body).Decode(&o); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	o.AsOf = time.Now().UTC()
	raw, _ := json.Marshal(o)
	b := s.ns.Bind(r.Context())
	errs := errors.Join(
		b.Put(kvx.SiteKey("occupancy", site), raw, 15*time.Minute),
		b.Put(kvx.SiteKey("free-doors", site), []byte(strconv.Itoa(o.Doors-o.Loaded)), 15*time.Minute),
		b.Put(kvx.SiteKey("loaded-count", site), []byte(strconv.Itoa(o.Loaded)), 15*time.Minute), // DEBATABLE kvcounter
	)
	if errs != nil {
		http.Error(w, errs.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) exportAudit(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/x-ndjson")
	n, truncated, err := audit.Export(r.Context(), s.ns, w, audit.Budget{Pages: 5, Keys: 5000})
	if err != nil {
		log.Printf("audit export after %d keys: %v", n, err)
		return
	}
	if truncated {
		log.Printf("audit export truncated at %d keys", n)
	}
}
