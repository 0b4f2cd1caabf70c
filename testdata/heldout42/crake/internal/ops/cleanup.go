package ops

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
)

const (
	maxAuditPages   = 25
	maxSignOutKeys  = 500
	silentThreshold = 6 * time.Hour
)

// PurgeHolds deletes reservation holds left behind by crashed clients.
func (c *Client) PurgeHolds(ctx context.Context) (int, error) {
	iter := c.api.KV.Namespaces.Keys.ListAutoPaging(ctx, c.ns.Fleet, c.listParams("hold:")) // EXPECT kvlist
	n := 0
	for iter.Next() {
		k := iter.Current()
		if k.Expiration != 0 {
			continue
		}
		if err := c.del(ctx, c.ns.Fleet, k.Name); err != nil {
			return n, err
		}
		n++
	}
	return n, iter.Err()
}

// SilentScooter is a scooter whose last report is older than the threshold.
type SilentScooter struct {
	ID       string
	LastSeen time.Time
}

// AuditSilent reads the last-seen time of scooters, up to maxAuditPages
// pages of keys.
func (c *Client) AuditSilent(ctx context.Context, now time.Time) ([]SilentScooter, error) {
	var out []SilentScooter
	p := c.listParams("seen:")
	for page := 0; page < maxAuditPages; page++ {
		res, err := c.api.KV.Namespaces.Keys.List(ctx, c.ns.Fleet, p)
		if err != nil {
			return out, err
		}
		for _, k := range res.Result {
			raw, err := c.getRaw(ctx, c.ns.Fleet, k.Name) // EXPECT kvlist
			if err != nil {
				continue
			}
			seen, err := time.Parse(time.RFC3339, string(raw))
			if err == nil && now.Sub(seen) > silentThreshold {
				out = append(out, SilentScooter{ID: strings.TrimPrefix(k.Name, "seen:"), LastSeen: seen})
			}
		}
		if res.ResultInfo.Cursor == "" {
			break
		}
		p.Cursor = cloudflare.F(res.ResultInfo.Cursor)
	}
	return out, nil
}

// SampleKeys returns a few keys under prefix, for the health check.
func (c *Client) SampleKeys(ctx context.Context, prefix string) ([]string, error) {
	p := c.listParams(prefix)
	p.Limit = cloudflare.F(5.0) // EXPECT kvlimits
	res, err := c.api.KV.Namespaces.Keys.List(ctx, c.ns.Fleet, p)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(res.Result))
	for _, k := range res.Result {
		names = append(names, k.Name)
	}
	return names, nil
}

// ExpiringExports lists export keys and when they expire, from the key
// listing alone, stopping after limit keys.
func (c *Client) ExpiringExports(ctx context.Context, limit int) (map[string]time.Time, error) {
	out := make(map[string]time.Time)
	iter := c.api.KV.Namespaces.Keys.ListAutoPaging(ctx, c.ns.Reports, c.listParams("export:"))
	for iter.Next() {
		k := iter.Current()
		out[k.Name] = time.Unix(int64(k.Expiration), 0).UTC()
		if len(out) >= limit {
			break
		}
	}
	return out, iter.Err()
}

type refreshRecord struct {
	RiderID   string `json:"riderId"`
	SessionID string `json:"sessionId"`
}

// ForceSignOut is the support tool used when a rider reports a stolen
// phone: it removes the rider's sessions and the given refresh token.
func (c *Client) ForceSignOut(ctx context.Context, riderID, refreshToken string) (int, error) {
	n := 0
	iter := c.api.KV.Namespaces.Keys.ListAutoPaging(ctx, c.ns.Fleet, c.listParams("sess:"+riderID+":"))
	for iter.Next() && n < maxSignOutKeys {
		if err := c.del(ctx, c.ns.Fleet, iter.Current().Name); err != nil { // EXPECT kvsession
			return n, err
		}
		n++
	}
	if err := iter.Err(); err != nil {
		return n, err
	}
	if refreshToken == "" {
		return n, nil
	}
	raw, err := c.getRaw(ctx, c.ns.Fleet, "refresh:"+refreshToken)
	if isNotFound(err) {
		return n, nil
	}
	if err != nil {
		return n, err
	}
	var rec refreshRecord
	if err := json.Unmarshal(raw, &rec); err != nil || rec.RiderID != riderID {
		return n, err
	}
	return n, c.del(ctx, c.ns.Fleet, "refresh:"+refreshToken) // EXPECT kvsession
}
