// Package ratewin limits API requests per key in fixed windows.
package ratewin

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/foundry/internal/keys"
	"example.com/foundry/internal/kvstore"
)

// Limiter allows limit requests per window per API key.
type Limiter struct {
	cf        *cloudflare.Client
	accountID string
	ns        string
	window    time.Duration
	limit     int
}

// New returns a Limiter.
func New(cf *cloudflare.Client, accountID, ns string, window time.Duration, limit int) *Limiter {
	return &Limiter{cf: cf, accountID: accountID, ns: ns, window: window, limit: limit}
}

// Allow counts one request for apiKey and reports whether it is within the
// limit, with the requests remaining in this window.
func (l *Limiter) Allow(ctx context.Context, apiKey string) (bool, int, error) {
	start := time.Now().Truncate(l.window)
	k := url.PathEscape(fmt.Sprintf("ratelimit/%s/%d", keys.Hash(apiKey), start.Unix()))
	used := 0
	resp, err := l.cf.KV.Namespaces.Values.Get(ctx, l.ns, k, kv.NamespaceValueGetParams{AccountID: cloudflare.F(l.accountID)})
	if err == nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if used, err = strconv.Atoi(string(b)); err != nil {
			return false, 0, err
		}
	} else if !kvstore.IsNotFound(err) {
		return false, 0, err
	}
	if used >= l.limit {
		return false, 0, nil
	}
	ttl := max(int(2*l.window/time.Second), 60)
	_, err = l.cf.KV.Namespaces.Values.Update(ctx, l.ns, k, kv.NamespaceValueUpdateParams{ // EXPECT kvcounter
		AccountID:     cloudflare.F(l.accountID),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(strconv.Itoa(used + 1))),
		ExpirationTTL: cloudflare.F(float64(ttl)),
	})
	return err == nil, l.limit - used - 1, err
}

// Middleware rejects requests over the limit. Requests without an API key
// pass through, and a KV error fails open rather than taking the API down.
func (l *Limiter) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if key := r.Header.Get("X-Api-Key"); key != "" {
			ok, remaining, err := l.Allow(r.Context(), key)
			if err == nil && !ok {
				http.Error(w, "rate limit exceeded", http.StatusTooManyRequests)
				return
			}
			w.Header().Set("X-RateLimit-Remaining", strconv.Itoa(max(remaining, 0)))
		}
		next.ServeHTTP(w, r)
	})
}
