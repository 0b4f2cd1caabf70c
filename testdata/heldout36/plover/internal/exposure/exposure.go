//go:build js && wasm

// Package exposure records which variant each subject was shown. Exposures are
// buffered in memory and flushed to KV in the background; the analytics
// pipeline reads the batches from there.
package exposure

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/fernhill/plover/internal/kvstore"
	"github.com/fernhill/plover/internal/plan"
)

// ErrRateLimited is returned when a client exceeds its evaluation budget.
var ErrRateLimited = errors.New("exposure: rate limited")

// Event is one exposure.
type Event struct {
	Tenant  string    `json:"tenant"`
	Flag    string    `json:"flag"`
	Variant string    `json:"variant"`
	Subject string    `json:"subject"`
	At      time.Time `json:"at"`
}

type tallyKey struct{ tenant, flag, variant string }

// Recorder buffers exposures and flushes them periodically.
type Recorder struct {
	store    *kvstore.Store
	instance string
	interval time.Duration

	mu     sync.Mutex
	events []Event
	tally  map[tallyKey]int
}

// NewRecorder returns a recorder writing to store.
func NewRecorder(store *kvstore.Store, interval time.Duration) *Recorder {
	var id [8]byte
	_, _ = rand.Read(id[:])
	return &Recorder{
		store:    store,
		instance: hex.EncodeToString(id[:]),
		interval: interval,
		tally:    make(map[tallyKey]int),
	}
}

// Record buffers one exposure.
func (r *Recorder) Record(ev Event) {
	r.mu.Lock()
	r.events = append(r.events, ev)
	r.tally[tallyKey{ev.Tenant, ev.Flag, ev.Variant}]++
	r.mu.Unlock()
}

// Run flushes until ctx is done. Start it once from main.
func (r *Recorder) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			_ = r.flush(context.Background())
			return
		case <-time.After(r.interval):
			if err := r.flush(ctx); err != nil {
				fmt.Println("exposure flush:", err)
			}
		}
	}
}

func (r *Recorder) drain() ([]Event, map[tallyKey]int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	evs, t := r.events, r.tally
	r.events, r.tally = nil, make(map[tallyKey]int)
	return evs, t
}

func (r *Recorder) flush(ctx context.Context) error {
	evs, tally := r.drain()
	if len(evs) == 0 {
		return nil
	}
	bucket := time.Now().Truncate(time.Minute).Unix()
	batchKey := fmt.Sprintf("exposures:batch:%d:%s", bucket, r.instance)
	if err := r.store.PutJSON(ctx, batchKey, evs, 48*time.Hour); err != nil {
		return fmt.Errorf("flush batch: %w", err)
	}
	for k, n := range tally {
		if err := r.addTotal(ctx, k, n); err != nil {
			return fmt.Errorf("flush totals: %w", err)
		}
	}
	return nil
}

func (r *Recorder) addTotal(ctx context.Context, k tallyKey, n int) error {
	key := fmt.Sprintf("count:%s:%s:%s", k.tenant, k.flag, k.variant)
	cur, ok, err := r.store.Get(ctx, key)
	if err != nil {
		return err
	}
	total := 0
	if ok {
		total, _ = strconv.Atoi(cur)
	}
	return r.store.Put(ctx, key, strconv.Itoa(total+n), 0) // EXPECT kvcounter
}

// Totals reads the running totals for a flag's variants.
func (r *Recorder) Totals(ctx context.Context, tenant, flag string, variants []string) (map[string]int, error) {
	out := make(map[string]int, len(variants))
	for _, v := range variants {
		raw, ok, err := r.store.Get(ctx, fmt.Sprintf("count:%s:%s:%s", tenant, flag, v))
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		n, err := strconv.Atoi(raw)
		if err != nil {
			return nil, fmt.Errorf("total %s: %w", v, err)
		}
		out[v] = n
	}
	return out, nil
}

// Limiter enforces the per-IP evaluation budget of a plan.
type Limiter struct {
	store *kvstore.Store
}

// NewLimiter returns a limiter backed by store.
func NewLimiter(store *kvstore.Store) *Limiter { return &Limiter{store: store} }

// Allow charges one evaluation to ip for the current minute.
func (l *Limiter) Allow(ctx context.Context, ip, tier string, now time.Time) error {
	key := "ratelimit:" + ip + ":" + strconv.FormatInt(now.Truncate(time.Minute).Unix(), 10)
	used := 0
	if raw, ok, err := l.store.Get(ctx, key); err != nil {
		return err
	} else if ok {
		used, _ = strconv.Atoi(raw)
	}
	if used >= plan.For(tier).EvalPerMinute {
		return ErrRateLimited
	}
	return l.store.Put(ctx, key, strconv.Itoa(used+1), 2*time.Minute) // EXPECT kvcounter
}

// Handler accepts exposure beacons from client SDKs.
type Handler struct {
	Recorder *Recorder
	Limiter  *Limiter
	Store    *kvstore.Store
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	ctx, cancel := context.WithTimeout(req.Context(), 2*time.Second)
	defer cancel()
	tenant := req.Header.Get("X-Tenant")
	if err := h.Limiter.Allow(ctx, req.Header.Get("CF-Connecting-IP"), req.Header.Get("X-Plan"), time.Now()); err != nil {
		status := http.StatusServiceUnavailable
		if errors.Is(err, ErrRateLimited) {
			status = http.StatusTooManyRequests
		}
		http.Error(w, err.Error(), status)
		return
	}
	var evs []Event
	if err := json.NewDecoder(req.Body).Decode(&evs); err != nil {
		http.Error(w, "bad beacon", http.StatusBadRequest)
		return
	}
	for _, ev := range evs {
		ev.Tenant = tenant
		if ev.At.IsZero() {
			ev.At = time.Now()
		}
		h.Recorder.Record(ev)
	}
	done := make(chan error, 1)
	go func() {
		b, _ := json.Marshal(evs)
		done <- h.Store.Put(ctx, "exposure:latest", string(b), time.Hour) // EXPECT kvhotkey
	}()
	select {
	case err := <-done:
		if err != nil {
			http.Error(w, "store: "+err.Error(), http.StatusBadGateway)
			return
		}
	case <-ctx.Done():
		http.Error(w, "timeout", http.StatusGatewayTimeout)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}
