// Package ratelimit applies a per-account, per-route token bucket to the
// ingest API. Buckets are small JSON documents in the counters namespace.
package ratelimit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/estuary/internal/ids"
)

// Bucket is the stored state. Tokens is fractional because refill is
// continuous.
type Bucket struct {
	Tokens  float64   `json:"tokens"`
	Updated time.Time `json:"updated"`
}

// Limiter hands out tokens at Rate per second up to Burst.
type Limiter struct {
	client    *cloudflare.Client
	accountID string
	namespace string
	rate      float64
	burst     float64
	now       func() time.Time
}

func New(client *cloudflare.Client, accountID, namespace string, rate, burst float64) *Limiter {
	return &Limiter{client: client, accountID: accountID, namespace: namespace, rate: rate, burst: burst, now: time.Now}
}

func bucketKey(acct ids.AccountID, route string) string {
	return url.PathEscape(fmt.Sprintf("ratelimit/%s/%s", acct, route))
}

func (l *Limiter) load(ctx context.Context, key string) (Bucket, error) {
	full := Bucket{Tokens: l.burst, Updated: l.now()}
	res, err := l.client.KV.Namespaces.Values.Get(ctx, l.namespace, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(l.accountID),
	})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return full, nil
		}
		return Bucket{}, err
	}
	defer res.Body.Close()
	var b Bucket
	if err := json.NewDecoder(res.Body).Decode(&b); err != nil {
		return full, nil
	}
	return b, nil
}

// Allow takes one token from the bucket for acct and route.
func (l *Limiter) Allow(ctx context.Context, acct ids.AccountID, route string) (bool, error) {
	key := bucketKey(acct, route)
	b, err := l.load(ctx, key)
	if err != nil {
		return false, fmt.Errorf("ratelimit: %w", err)
	}
	now := l.now()
	b.Tokens = min(l.burst, b.Tokens+now.Sub(b.Updated).Seconds()*l.rate)
	b.Updated = now
	if b.Tokens < 1 {
		return false, nil
	}
	b.Tokens--
	// Let the key lapse once the bucket would be full again; a missing bucket
	// reads as full.
	refilled := now.Add(time.Duration((l.burst - b.Tokens) / l.rate * float64(time.Second)))
	ttl := time.Until(refilled)
	body, err := json.Marshal(b)
	if err != nil {
		return false, err
	}
	_, err = l.client.KV.Namespaces.Values.Update(ctx, l.namespace, key, kv.NamespaceValueUpdateParams{ // EXPECT kvcounter
		AccountID:     cloudflare.F(l.accountID),
		Value:         cloudflare.F(string(body)),
		ExpirationTTL: cloudflare.F(float64(max(int(ttl/time.Second), 10))), // EXPECT kvttl
	})
	if err != nil {
		return false, fmt.Errorf("ratelimit: saving bucket: %w", err)
	}
	return true, nil
}
