// Package kvrace holds kvrace's cases on the KV REST API.
package kvrace

import (
	"context"
	"encoding/json"

	"kvlint.test/rest/kvrest"
)

type profile struct {
	Name   string   `json:"name"`
	Badges []string `json:"badges"`
}

// JSON read, changed and written back.
func addBadge(ctx context.Context, c *kvrest.Client, user, badge string) error {
	raw, _, err := c.Get(ctx, "profile:"+user)
	if err != nil {
		return err
	}
	var p profile
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		return err
	}
	p.Badges = append(p.Badges, badge)
	out, _ := json.Marshal(p)
	return c.Put(ctx, "profile:"+user, string(out), 0) // want `read-modify-write`
}

// Quiet: a read-through cache fills a miss from elsewhere.
func cached(ctx context.Context, c *kvrest.Client, id string, load func(string) string) (string, error) {
	v, found, err := c.Get(ctx, "page:"+id)
	if err != nil || found {
		return v, err
	}
	v = load(id)
	return v, c.Put(ctx, "page:"+id, v, 300)
}
