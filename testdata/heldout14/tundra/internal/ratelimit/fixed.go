// Package ratelimit throttles API traffic per client IP and per API key.
package ratelimit

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/tundra/internal/storage/cfkv"
)

// FixedWindow allows Limit requests per IP per wall-clock minute.
type FixedWindow struct {
	Client      *cloudflare.Client
	AccountID   string
	NamespaceID string
	Limit       int
	Now         func() time.Time
}

func (f *FixedWindow) bucketKey(ip string, now time.Time) string {
	return fmt.Sprintf("rl:%s:%d", ip, now.Unix()/60)
}

// Allow reports whether ip may make another request this minute. Storage
// errors fail open: the edge firewall is the backstop.
func (f *FixedWindow) Allow(ctx context.Context, ip string) (bool, error) {
	key := f.bucketKey(ip, f.Now())
	n := 0
	res, err := f.Client.KV.Namespaces.Values.Get(ctx, f.NamespaceID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(f.AccountID),
	})
	switch {
	case err == nil:
		body, rerr := io.ReadAll(res.Body)
		res.Body.Close()
		if rerr != nil {
			return true, rerr
		}
		if n, err = strconv.Atoi(string(body)); err != nil {
			return true, fmt.Errorf("ratelimit: bad counter %q: %w", key, err)
		}
	case !cfkv.IsNotFound(err):
		return true, err
	}
	if n >= f.Limit {
		return false, nil
	}
	_, err = f.Client.KV.Namespaces.Values.Update(ctx, f.NamespaceID, key, kv.NamespaceValueUpdateParams{ // EXPECT kvcounter
		AccountID:     cloudflare.F(f.AccountID),
		Value:         cloudflare.F(strconv.Itoa(n + 1)),
		ExpirationTTL: cloudflare.F(120.0),
	})
	return true, err
}

// AllowWithin bounds Allow by budget; if storage is slower than that, the
// request is let through rather than queued behind KV.
func (f *FixedWindow) AllowWithin(ctx context.Context, ip string, budget time.Duration) bool {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		ok  bool
		err error
	}
	ch := make(chan result, 1)
	go func() {
		ok, err := f.Allow(ctx, ip)
		ch <- result{ok, err}
	}()
	select {
	case r := <-ch:
		return r.ok || r.err != nil
	case <-time.After(budget):
		return true
	}
}
