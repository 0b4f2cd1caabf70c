// Package kvrace holds kvrace's cases on the KV REST API.
package kvrace

import (
	"context"
	"encoding/json"
	"fmt"

	"kvlint.test/rest/kvracesvc"
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

// A record that a wrapper decodes, changed in place and written back.
func moveServer(svc *kvracesvc.Service, token, account string, id int, region string) error {
	srv, err := svc.Server(token, account, id)
	if err != nil {
		return err
	}
	srv.Region = region
	return svc.PutValue(token, account, fmt.Sprintf("server:%d", id), srv) // want `read-modify-write`
}

// Quiet: the record copied into another account's namespace.
func copyServer(svc *kvracesvc.Service, token, from, to string, id int) error {
	srv, err := svc.Server(token, from, id)
	if err != nil {
		return err
	}
	srv.Region = "copied"
	return svc.PutValue(token, to, fmt.Sprintf("server:%d", id), srv)
}

// Quiet: written back as read, to refresh it.
func touchServer(svc *kvracesvc.Service, token, account string, id int) error {
	srv, err := svc.Server(token, account, id)
	if err != nil {
		return err
	}
	return svc.PutValue(token, account, fmt.Sprintf("server:%d", id), srv)
}
