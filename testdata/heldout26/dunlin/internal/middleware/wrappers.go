package middleware

import (
	"context"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"example.com/dunlin/internal/game"
	"example.com/dunlin/internal/keys"
	"example.com/dunlin/internal/kvstore"
)

// PlanResolver tells the limiter which plan a request runs under.
type PlanResolver interface {
	PlanFor(r *http.Request) game.Plan
}

// RateLimiter caps requests per client address per plan window.
type RateLimiter struct {
	st    kvstore.Store
	ks    keys.Space
	plans PlanResolver
}

// NewRateLimiter returns a limiter.
func NewRateLimiter(st kvstore.Store, ks keys.Space, plans PlanResolver) *RateLimiter {
	return &RateLimiter{st: st, ks: ks, plans: plans}
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// allow records one request from ip and reports whether it is within budget.
func (l *RateLimiter) allow(ctx context.Context, ip string, plan game.Plan) (bool, error) {
	key := l.ks.RateLimit(ip)
	hits := 0
	raw, err := l.st.Get(ctx, key)
	switch {
	case err == nil:
		hits, _ = strconv.Atoi(string(raw))
	case !kvstore.IsNotFound(err):
		return true, err
	}
	if hits >= plan.Budget() {
		return false, nil
	}
	// Windows shorter than KV's minimum TTL are stretched to a minute.
	ttl := max(plan.Window(), time.Minute)
	err = l.st.Put(ctx, key, []byte(strconv.Itoa(hits+1)), kvstore.WithTTL(ttl)) // EXPECT kvcounter
	return true, err
}

// Wrap implements the middleware.
func (l *RateLimiter) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ok, err := l.allow(r.Context(), clientIP(r), l.plans.PlanFor(r))
		if err == nil && !ok {
			w.Header().Set("Retry-After", "60")
			http.Error(w, "rate limited", http.StatusTooManyRequests)
			return
		}
		next.ServeHTTP(w, r)
	})
}

const heartbeatKey = "ops:api:last-request"

// Heartbeat stamps the time of the latest request into the ops namespace so
// the status page can tell whether the API is taking traffic.
type Heartbeat struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
}

// NewHeartbeat returns the middleware writing into namespaceID.
func NewHeartbeat(api *cloudflare.API, accountID, namespaceID string) *Heartbeat {
	return &Heartbeat{api: api, rc: cloudflare.AccountIdentifier(accountID), ns: namespaceID}
}

func (h *Heartbeat) stamp(ctx context.Context) {
	_, _ = h.api.WriteWorkersKVEntry(ctx, h.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: h.ns, Key: heartbeatKey, Value: []byte(strconv.FormatInt(time.Now().Unix(), 10))}) // EXPECT kvhotkey
}

// Wrap implements the middleware.
func (h *Heartbeat) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.stamp(r.Context())
		next.ServeHTTP(w, r)
	})
}
