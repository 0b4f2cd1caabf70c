//go:build js && wasm

// Package throttle limits how fast one client may call the worker.
package throttle

import (
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"

	"example.com/plover/internal/edge/kvbind"
	"example.com/plover/internal/httpx"
	"example.com/plover/internal/keys"
)

// Limiter allows limit requests per IP per minute.
type Limiter struct {
	ns    *cloudflare.KVNamespace
	limit int
	now   func() time.Time
}

// NewLimiter builds a per-IP limiter.
func NewLimiter(kv *kvbind.Client, limit int) *Limiter {
	return &Limiter{ns: kv.Binding(), limit: limit, now: time.Now}
}

// Middleware rejects an IP that has used up this minute's allowance.
func (l *Limiter) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip := keys.Part(httpx.ClientIP(r))
		key := string(keys.Minute(fmt.Appendf(nil, "rl:%s:", ip), l.now()))
		v, err := l.ns.GetString(key, nil)
		if err != nil {
			// fail open: a storage hiccup should not take the site down
			slog.Warn("rate limit read", "err", err)
			next.ServeHTTP(w, r)
			return
		}
		n := 0
		if !kvbind.Missing(v) {
			n, _ = strconv.Atoi(v)
		}
		if n >= l.limit {
			w.Header().Set("Retry-After", "60")
			httpx.WriteError(w, httpx.ErrTooMany)
			return
		}
		opts := &cloudflare.KVNamespacePutOptions{ExpirationTTL: 120}
		if err := l.ns.PutString(key, strconv.Itoa(n+1), opts); err != nil { // EXPECT kvcounter
			slog.Warn("rate limit write", "err", err)
		}
		next.ServeHTTP(w, r)
	})
}
