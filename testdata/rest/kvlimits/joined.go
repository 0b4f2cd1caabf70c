package kvlimits

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
)

// client builds its URLs by joining path parts onto the namespace's.
type client struct {
	hc      *http.Client
	account string
}

func (c *client) url(ns string, parts ...string) string {
	u := "https://api.cloudflare.com/client/v4/accounts/" + c.account + "/storage/kv/namespaces/" + ns
	for _, p := range parts {
		u += "/" + p
	}
	return u
}

func (c *client) listKeys(ctx context.Context, ns, prefix string, limit int) (keysPage, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url(ns, "keys")+"?prefix="+prefix+"&limit="+strconv.Itoa(limit), nil)
	if err != nil {
		return keysPage{}, err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return keysPage{}, err
	}
	defer resp.Body.Close()
	var p keysPage
	return p, json.NewDecoder(resp.Body).Decode(&p)
}

func (c *client) peek(ctx context.Context, ns string) (keysPage, error) {
	return c.listKeys(ctx, ns, "menu:",
		5, // want `the KV REST API refuses a list Limit below 10, and this one is 5`
	)
}

// Quiet: a page size the API takes.
func (c *client) page(ctx context.Context, ns string) (keysPage, error) {
	return c.listKeys(ctx, ns, "menu:", 500)
}
