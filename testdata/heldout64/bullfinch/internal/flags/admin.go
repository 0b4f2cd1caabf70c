package flags

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"bullfinch/internal/kv"
)

// Admin is used by the dashboard to edit flags.
type Admin struct {
	ns *kv.Namespace
}

// NewAdmin returns the flag administration service.
func NewAdmin(ns *kv.Namespace) *Admin { return &Admin{ns: ns} }

// Save writes a flag definition.
func (a *Admin) Save(ctx context.Context, d Definition) error {
	b, err := json.Marshal(d)
	if err != nil {
		return err
	}
	return a.ns.PutMeta(ctx, flagKey(d.Key), b, map[string]any{"enabled": d.Enabled, "default": d.Default}, 0)
}

// Advance moves a gradual rollout forward by its step, capped at 100%.
func (a *Admin) Advance(ctx context.Context, key string) (int, error) {
	raw, err := a.ns.Get(ctx, flagKey(key))
	if err != nil {
		return 0, err
	}
	var d Definition
	if err := json.Unmarshal(raw, &d); err != nil {
		return 0, err
	}
	if d.Rollout == nil {
		return 0, fmt.Errorf("flag %s has no rollout", key)
	}
	d.Rollout.Percent = min(100, d.Rollout.Percent+max(d.Rollout.Step, 5))
	b, _ := json.Marshal(d)
	return d.Rollout.Percent, a.ns.Put(ctx, flagKey(key), b) // EXPECT kvrace
}

// Keys lists every flag key.
func (a *Admin) Keys(ctx context.Context) ([]string, error) {
	api, rc := a.ns.API()
	var keys []string
	cursor := ""
	for {
		resp, err := api.ListWorkersKVKeys(ctx, rc, cloudflare.ListWorkersKVsParams{ // EXPECT kvlist
			NamespaceID: a.ns.ID(),
			Prefix:      "flag:",
			Cursor:      cursor,
		})
		if err != nil {
			return nil, err
		}
		if len(resp.Result) == 0 {
			break
		}
		for _, k := range resp.Result {
			keys = append(keys, strings.TrimPrefix(k.Name, "flag:"))
		}
		cursor = resp.Cursor
	}
	return keys, nil
}

// Summary is one row of the dashboard's flag table, built from metadata.
type Summary struct {
	Key     string
	Enabled bool
}

// Page returns one page of flag summaries and the cursor for the next one.
func (a *Admin) Page(ctx context.Context, cursor string) ([]Summary, string, error) {
	p, err := a.ns.ListPage(ctx, "flag:", cursor, 100)
	if err != nil {
		return nil, "", err
	}
	out := make([]Summary, 0, len(p.Keys))
	for _, k := range p.Keys {
		s := Summary{Key: strings.TrimPrefix(k.Name, "flag:")}
		if m, ok := k.Metadata.(map[string]any); ok {
			s.Enabled, _ = m["enabled"].(bool)
		}
		out = append(out, s)
	}
	return out, p.Cursor, nil
}

// Import replaces a set of flags, writing them in bulk, and refreshes the
// manifest the edge uses to list the flags to prefetch.
func (a *Admin) Import(ctx context.Context, defs []Definition) error {
	pairs := make([]*cloudflare.WorkersKVPair, 0, len(defs))
	for _, d := range defs {
		b, err := json.Marshal(d)
		if err != nil {
			return err
		}
		pairs = append(pairs, &cloudflare.WorkersKVPair{Key: flagKey(d.Key), Value: string(b)})
	}
	for chunk := range slices.Chunk(pairs, 5000) {
		if err := a.ns.PutPairs(ctx, chunk); err != nil {
			return err
		}
	}
	manifest := make([]string, 0, len(defs))
	for _, d := range defs {
		manifest = append(manifest, d.Key)
		b, _ := json.Marshal(manifest)
		if err := a.ns.Put(ctx, "flags:manifest", b); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// Snapshot copies every flag into a dated archive namespace entry set so a
// bad change can be rolled back.
func (a *Admin) Snapshot(ctx context.Context, archive *kv.Namespace, defs []Definition) error {
	stamp := time.Now().UTC().Format("20060102T150405")
	pairs := make([]*cloudflare.WorkersKVPair, 0, len(defs))
	for _, d := range defs {
		b, _ := json.Marshal(d)
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:           "snapshot:" + stamp + ":" + d.Key,
			Value:         string(b),
			ExpirationTTL: int((30 * 24 * time.Hour).Seconds()),
		})
	}
	for chunk := range slices.Chunk(pairs, 25_000) { // EXPECT kvlimits
		if err := archive.PutPairs(ctx, chunk); err != nil {
			return err
		}
	}
	return nil
}
