// Package kvcounter holds kvcounter's cases on the KV REST API.
package kvcounter

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"kvlint.test/rest/kvrest"
)

const base = "https://api.cloudflare.com/client/v4/accounts/acc/storage/kv/namespaces/ns"

func valueURL(key string) string { return base + "/values/" + url.PathEscape(key) }

// A hit counter read and written back with raw requests.
func countHit(ctx context.Context, hc *http.Client, page string) error {
	key := "hits:" + page
	resp, err := hc.Get(valueURL(key))
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	n := 0
	if resp.StatusCode == http.StatusOK {
		if n, err = strconv.Atoi(string(body)); err != nil {
			return err
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, valueURL(key), strings.NewReader(strconv.Itoa(n+1)))
	if err != nil {
		return err
	}
	_, err = hc.Do(req) // want `counter kept in KV`
	return err
}

// The same through the client.
func countLogin(ctx context.Context, c *kvrest.Client, user string) error {
	v, _, err := c.Get(ctx, "logins:"+user)
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(v)
	return c.Put(ctx, "logins:"+user, strconv.Itoa(n+1), 0) // want `counter kept in KV`
}

// Quiet: the count read is another key's.
func copyCount(ctx context.Context, c *kvrest.Client, from, to string) error {
	v, _, err := c.Get(ctx, "logins:"+from)
	if err != nil {
		return err
	}
	return c.Put(ctx, "archive:"+to, v, 0)
}

// A counter written by a helper is reported in the helper, and again at
// a caller that reads the count it passes (kvcounter keeps no facts: they
// cost go vet a pass over every package).
func noteFailure(ctx context.Context, c *kvrest.Client, user string, n int) error {
	return c.Put(ctx, "attempts:"+user, strconv.Itoa(n+1), 900) // want `counter kept in KV: the key names a count`
}

func login(ctx context.Context, c *kvrest.Client, user string) error {
	v, _, err := c.Get(ctx, "attempts:"+user)
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(v)
	return noteFailure(ctx, c, user, n) // want `counter kept in KV: this put writes back a count`
}
