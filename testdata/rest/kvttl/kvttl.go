// Package kvttl holds kvttl's cases on the KV REST API over net/http.
package kvttl

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"kvlint.test/rest/kvrest"
)

const base = "https://api.cloudflare.com/client/v4/accounts/acc/storage/kv/namespaces/ns"

func literalInURL(ctx context.Context, hc *http.Client, key string, v []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, base+"/values/"+url.PathEscape(key)+"?expiration_ttl=30", bytes.NewReader(v)) // want `ExpirationTTL 30 is below KV's 60-second minimum`
	if err != nil {
		return err
	}
	_, err = hc.Do(req)
	return err
}

func queryValues(ctx context.Context, hc *http.Client, key string, v []byte) error {
	q := url.Values{}
	q.Set("expiration_ttl", strconv.Itoa(45)) // want `ExpirationTTL 45 is below KV's 60-second minimum`
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, base+"/values/"+url.PathEscape(key)+"?"+q.Encode(), bytes.NewReader(v))
	if err != nil {
		return err
	}
	_, err = hc.Do(req)
	return err
}

func formatted(ctx context.Context, hc *http.Client, key string, v []byte) error {
	u := fmt.Sprintf("https://api.cloudflare.com/client/v4/accounts/%s/storage/kv/namespaces/%s/values/%s?expiration_ttl=%d", "acc", "ns", url.PathEscape(key), 10) // want `ExpirationTTL 10 is below KV's 60-second minimum`
	resp, err := hc.Post(u, "application/octet-stream", bytes.NewReader(v))
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func milliseconds(ctx context.Context, hc *http.Client, key string, v []byte, until time.Time) error {
	q := url.Values{}
	q.Set("expiration", strconv.FormatInt(until.UnixMilli(), 10)) // want `Expiration is in seconds since the Unix epoch, but this is a Unix time in ms`
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, base+"/values/"+url.PathEscape(key)+"?"+q.Encode(), bytes.NewReader(v))
	if err != nil {
		return err
	}
	_, err = hc.Do(req)
	return err
}

// Through the client's Put, whose ttlSeconds reaches the query.
func throughClient(ctx context.Context, c *kvrest.Client) {
	_ = c.Put(ctx, "otp:1", "123456", 30) // want `ExpirationTTL 30 \(passed to kvrest.Put\) is below`
	_ = c.Put(ctx, "page:1", "<html>", 3600)
	_ = c.Put(ctx, "forever", "x", 0) // quiet: no TTL is sent
}

// Quiet: a lifetime KV accepts, given as text.
func textTTL(ctx context.Context, hc *http.Client, key string, v []byte) error {
	q := url.Values{}
	q.Set("expiration_ttl", "300")
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, base+"/values/"+url.PathEscape(key)+"?"+q.Encode(), bytes.NewReader(v))
	if err != nil {
		return err
	}
	_, err = hc.Do(req)
	return err
}

// Quiet: another API that happens to take the same parameter.
func notKV(ctx context.Context, hc *http.Client, v []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, "https://cache.example.com/values/a?expiration_ttl=5", bytes.NewReader(v))
	if err != nil {
		return err
	}
	_, err = hc.Do(req)
	return err
}
