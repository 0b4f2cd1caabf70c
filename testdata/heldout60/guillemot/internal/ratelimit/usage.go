package ratelimit

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"github.com/forumworks/guillemot/internal/kv"
)

// Usage counts API requests per client ID (the forum's apps and bots) and
// publishes the per-minute numbers for the developer dashboard.
type Usage struct {
	ns     *kv.Namespace
	mu     sync.Mutex
	counts map[string]int
}

// NewUsage returns an empty usage recorder.
func NewUsage(ns *kv.Namespace) *Usage { return &Usage{ns: ns, counts: make(map[string]int)} }

// Handler counts the request under its X-Client-Id header and calls next.
func (u *Usage) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id := r.Header.Get("X-Client-Id"); id != "" {
			u.mu.Lock()
			u.counts[id]++
			u.mu.Unlock()
		}
		next.ServeHTTP(w, r)
	})
}

// Flush writes the counts of the minute that just ended and starts a new one.
func (u *Usage) Flush(ctx context.Context, minute time.Time) error {
	u.mu.Lock()
	counts := u.counts
	u.counts = make(map[string]int, len(counts))
	u.mu.Unlock()
	stamp := minute.UTC().Format("200601021504")
	pairs := make([]*cloudflare.WorkersKVPair, 0, len(counts))
	for client, n := range counts {
		pairs = append(pairs, &cloudflare.WorkersKVPair{Key: "hits:" + client + ":" + stamp, Value: strconv.Itoa(n), ExpirationTTL: 7 * 24 * 3600})
	}
	if len(pairs) == 0 {
		return nil
	}
	return u.ns.PutMany(ctx, pairs) // EXPECT kvcounter
}
