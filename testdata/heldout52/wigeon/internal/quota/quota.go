// Package quota enforces per-customer API quotas on the merchant-facing
// invoicing API and keeps daily usage totals for billing overage.
package quota

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"wigeon/internal/billing"
	"wigeon/internal/kvkeys"
	"wigeon/internal/kvstore"
	"wigeon/internal/tenant"
)

// Limiter allows a plan-dependent number of requests per window.
type Limiter struct {
	KV     *kvstore.Client
	DB     *billing.DB
	Window time.Duration
}

func (l *Limiter) bucket(now time.Time) string {
	return strconv.FormatInt(now.Unix()/int64(l.Window/time.Second), 10)
}

// limit returns the customer's requests per window, cached from the plan
// table.
func (l *Limiter) limit(ctx context.Context, customerID string) (int, error) {
	tid := tenant.From(ctx)
	key := kvkeys.Key(tid, "plan-limit", customerID)
	raw, err := l.KV.Get(ctx, key)
	if err == nil {
		if n, err := strconv.Atoi(string(raw)); err == nil {
			return n, nil
		}
	} else if !kvstore.IsNotFound(err) {
		return 0, err
	}
	n, err := l.DB.PlanLimit(ctx, tid, customerID)
	if err != nil {
		return 0, err
	}
	return n, l.KV.PutTTL(ctx, key, []byte(strconv.Itoa(n)), 10*time.Minute)
}

// Allow reports whether the customer may make another request in the
// current window and records the request.
func (l *Limiter) Allow(ctx context.Context, customerID string) (bool, error) {
	limit, err := l.limit(ctx, customerID)
	if err != nil {
		return false, err
	}
	key := kvkeys.Key(tenant.From(ctx), "quota", customerID, l.bucket(time.Now()))
	used := 0
	raw, err := l.KV.Get(ctx, key)
	switch {
	case err == nil:
		used, _ = strconv.Atoi(string(raw))
	case kvstore.IsNotFound(err):
	default:
		return false, err
	}
	if used >= limit {
		return false, nil
	}
	ttl := max(2*l.Window, 3*time.Second)                                 // EXPECT kvttl
	return true, l.KV.PutTTL(ctx, key, []byte(strconv.Itoa(used+1)), ttl) // EXPECT kvcounter|kvrace
}

// Used returns the requests recorded in the current window.
func (l *Limiter) Used(ctx context.Context, customerID string) (int, error) {
	key := kvkeys.Key(tenant.From(ctx), "quota", customerID, l.bucket(time.Now()))
	raw, err := l.KV.Get(ctx, key)
	if kvstore.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(raw))
}

// Ceiling returns the hard ceiling configured for the tenant by ops.
func (l *Limiter) Ceiling(ctx context.Context) (int, error) {
	raw, err := l.KV.Get(ctx, kvkeys.Key(tenant.From(ctx), "ceiling")) // EXPECT kvnull
	if err != nil && !kvstore.IsNotFound(err) {
		return 0, err
	}
	n, err := strconv.Atoi(string(raw))
	if err != nil {
		return 0, fmt.Errorf("quota ceiling: %w", err)
	}
	return n, nil
}

// Usage accumulates request counts in memory per customer and day.
type Usage struct {
	KV *kvstore.Client

	mu   sync.Mutex
	hits map[string]int64 // "<tenant>/<customer>" → hits today
	day  string
}

// Add records one request.
func (u *Usage) Add(tenantID, customerID string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.hits == nil {
		u.hits = map[string]int64{}
	}
	u.hits[tenantID+"/"+customerID]++
}

// Flush writes the day's totals of this instance. The scheduler calls it
// every ten minutes.
func (u *Usage) Flush(ctx context.Context, now time.Time) error {
	u.mu.Lock()
	snapshot := maps.Clone(u.hits)
	day := now.UTC().Format("20060102")
	if day != u.day {
		u.hits, u.day = map[string]int64{}, day
	}
	u.mu.Unlock()

	pairs := make([]*cloudflare.WorkersKVPair, 0, len(snapshot))
	for who, n := range snapshot {
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:           kvkeys.Raw("hits", day, who),
			Value:         strconv.FormatInt(n, 10),
			ExpirationTTL: 40 * 24 * 3600,
		})
	}
	return u.KV.PutPairs(ctx, pairs) // EXPECT kvcounter
}

// Middleware rejects requests over quota. The customer is taken from the
// API key resolved by the gateway (X-Customer header).
func (l *Limiter) Middleware(u *Usage, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		customer := r.Header.Get("X-Customer")
		if customer == "" {
			next.ServeHTTP(w, r)
			return
		}
		ok, err := l.Allow(r.Context(), customer)
		var th *kvstore.ThrottledError
		switch {
		case errors.As(err, &th):
			// KV itself is throttling; fail open.
		case err != nil:
			http.Error(w, "quota unavailable", http.StatusServiceUnavailable)
			return
		case !ok:
			w.Header().Set("Retry-After", strconv.Itoa(int(l.Window.Seconds())))
			http.Error(w, "quota exceeded", http.StatusTooManyRequests)
			return
		}
		u.Add(tenant.From(r.Context()), customer)
		next.ServeHTTP(w, r)
	})
}

// Register adds the quota routes to mux.
func (l *Limiter) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1/customers/{customer}/quota", func(w http.ResponseWriter, r *http.Request) {
		n, err := l.Used(r.Context(), r.PathValue("customer"))
		if err != nil {
			http.Error(w, "internal", http.StatusInternalServerError)
			return
		}
		fmt.Fprintf(w, "{\"used\":%d}\n", n)
	})
}

// Reset clears the customer's current window after support raised the plan.
func (l *Limiter) Reset(ctx context.Context, customerID string) error {
	return l.KV.Delete(ctx, kvkeys.Key(tenant.From(ctx), "quota", customerID, l.bucket(time.Now())))
}
