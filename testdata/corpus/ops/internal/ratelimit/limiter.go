// Package ratelimit throttles the public API per client IP and per client ID.
package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/ops/internal/config"
)

// Limiter allows Limit requests per IP per minute.
type Limiter struct {
	client  *cloudflare.Client
	account string
	Limit   int
}

// New returns a Limiter with the default limit.
func New(client *cloudflare.Client, account string) *Limiter {
	return &Limiter{client: client, account: account, Limit: config.RateLimitPerWindow}
}

func notFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

func (l *Limiter) current(ctx context.Context, key string) (int, error) {
	res, err := l.client.KV.Namespaces.Values.Get(ctx, config.NamespaceLimits, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(l.account),
	})
	if notFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(b)))
}

// Allow records a request from ip and reports whether it is within the limit.
func (l *Limiter) Allow(ctx context.Context, ip string) (bool, error) {
	window := time.Now().Unix() / int64(config.RateWindow.Seconds())
	key := fmt.Sprintf("ratelimit:%s:%d", ip, window)
	n, err := l.current(ctx, key)
	if err != nil {
		return true, err // fail open
	}
	if n >= l.Limit {
		return false, nil
	}
	_, err = l.client.KV.Namespaces.Values.Update(ctx, config.NamespaceLimits, key, kv.NamespaceValueUpdateParams{ // EXPECT kvcounter
		AccountID:     cloudflare.F(l.account),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(strconv.Itoa(n + 1))),
		ExpirationTTL: cloudflare.F(2 * config.RateWindow.Seconds()),
	})
	return true, err
}

// Middleware rejects requests over the limit with 429.
func (l *Limiter) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			ip = r.RemoteAddr
		}
		if cf := r.Header.Get("CF-Connecting-IP"); cf != "" {
			ip = cf
		}
		ok, err := l.Allow(r.Context(), ip)
		if err != nil {
			slog.Warn("rate limiter unavailable", "err", err)
		}
		if !ok {
			w.Header().Set("Retry-After", "60")
			http.Error(w, "too many requests", http.StatusTooManyRequests)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// ClientLimiter counts requests per API client over a configurable window.
type ClientLimiter struct {
	*Limiter
	Window time.Duration
}

// Hit records one request for clientID and returns the count in the current
// window.
func (l *ClientLimiter) Hit(ctx context.Context, clientID string) (int, error) {
	key := "ratelimit:client:" + clientID
	n, err := l.current(ctx, key)
	if err != nil {
		return 0, err
	}
	n++
	params := kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(l.account)}
	params.Value = cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(strconv.Itoa(n)))
	params.ExpirationTTL = cloudflare.F(float64(l.Window))                                                    // EXPECT kvttl
	if _, err := l.client.KV.Namespaces.Values.Update(ctx, config.NamespaceLimits, key, params); err != nil { // EXPECT kvcounter
		return n, err
	}
	return n, nil
}

// CoolOff blocks ip for a short while after repeated 429s; the edge worker
// rejects requests from blocked addresses before they reach the origin.
func (l *Limiter) CoolOff(ctx context.Context, ip, reason string) error {
	_, err := l.client.KV.Namespaces.Values.Update(ctx, config.NamespaceLimits, "cooloff:"+ip, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(l.account),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(reason)),
		ExpirationTTL: cloudflare.F(30.0), // EXPECT kvttl
	})
	return err
}

// Block blocks ip until the given time, set from the abuse console.
func (l *Limiter) Block(ctx context.Context, ip string, until time.Time) error {
	if time.Until(until) < 2*time.Minute {
		until = time.Now().Add(2 * time.Minute)
	}
	_, err := l.client.KV.Namespaces.Values.Update(ctx, config.NamespaceLimits, "cooloff:"+ip, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(l.account),
		Value:      cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString("manual")),
		Expiration: cloudflare.F(float64(until.Unix())),
	})
	return err
}
