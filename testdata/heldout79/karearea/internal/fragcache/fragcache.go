// Package fragcache caches rendered page fragments in KV. Fragments belong
// to a group ("product-42", "nav", "home") whose version number is part of
// every key, so a whole group is invalidated by bumping one version key
// instead of deleting its fragments one by one:
//
//	fragver:<group>                   -> version
//	frag:<group>:v<version>:<name>    -> HTML
//
// The edge Worker builds the same keys (see internal/edge).
package fragcache

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/karearea/karearea/internal/kvstore"
)

// Cache is a fragment cache over one KV namespace.
type Cache struct {
	kv *kvstore.Store
}

// New returns a Cache.
func New(store *kvstore.Store) *Cache { return &Cache{kv: store} }

func versionKey(group string) string { return "fragver:" + group }

// Key returns the KV key of fragment name of group at version v.
func Key(group string, v int64, name string) string {
	return "frag:" + group + ":v" + strconv.FormatInt(v, 10) + ":" + name
}

// Version returns the current version of group; a group that was never
// invalidated is at version 1.
func (c *Cache) Version(ctx context.Context, group string) (int64, error) {
	raw, err := c.kv.Get(ctx, versionKey(group))
	if errors.Is(err, kvstore.ErrNotFound) {
		return 1, nil
	}
	if err != nil {
		return 0, err
	}
	v, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("fragcache: version of %s: %w", group, err)
	}
	return v, nil
}

// Invalidate moves group to a new version. Old fragments stay behind until
// their TTL runs out; nobody asks for them any more.
func (c *Cache) Invalidate(ctx context.Context, group string) error {
	v := time.Now().UnixNano()
	return c.kv.Put(ctx, versionKey(group), []byte(strconv.FormatInt(v, 10)), kvstore.PutOptions{})
}

// BumpLegacy advances a group that the PHP code also invalidates with
// $ver = $mc->get("fragver:$group") + 1. Those groups need small,
// consecutive versions because PHP builds the same keys.
func (c *Cache) BumpLegacy(ctx context.Context, group string) (int64, error) {
	var v int64
	raw, err := c.kv.Get(ctx, versionKey(group)) // EXPECT kvnull
	if err != nil {
		v = 0
	} else {
		v, _ = strconv.ParseInt(string(raw), 10, 64)
	}
	v++
	if err := c.kv.Put(ctx, versionKey(group), []byte(strconv.FormatInt(v, 10)), kvstore.PutOptions{}); err != nil { // EXPECT kvrace|kvcounter
		return 0, err
	}
	return v, nil
}

// Get returns a cached fragment.
func (c *Cache) Get(ctx context.Context, group, name string) ([]byte, bool, error) {
	v, err := c.Version(ctx, group)
	if err != nil {
		return nil, false, err
	}
	html, err := c.kv.Get(ctx, Key(group, v, name))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return html, true, nil
}

// Set stores a fragment for ttl.
func (c *Cache) Set(ctx context.Context, group, name string, html []byte, ttl time.Duration) error {
	v, err := c.Version(ctx, group)
	if err != nil {
		return err
	}
	return c.kv.Put(ctx, Key(group, v, name), html, kvstore.PutOptions{
		TTL:      ttl,
		Metadata: map[string]any{"group": group, "v": v},
	})
}

// Fetch returns the fragment, rendering and caching it on a miss.
func (c *Cache) Fetch(ctx context.Context, group, name string, ttl time.Duration, render func(context.Context) ([]byte, error)) ([]byte, error) {
	if html, ok, err := c.Get(ctx, group, name); err == nil && ok {
		return html, nil
	}
	html, err := render(ctx)
	if err != nil {
		return nil, err
	}
	if err := c.Set(ctx, group, name, html, max(ttl, time.Minute)); err != nil {
		return html, nil
	}
	return html, nil
}

// PurgeGroup deletes every stored version of group. Used when a product is
// removed for legal reasons and stale copies must not be served even from
// old versions.
func (c *Cache) PurgeGroup(ctx context.Context, group string) (int, error) {
	keys, err := c.kv.AllKeys(ctx, "frag:"+group+":")
	if err != nil {
		return 0, err
	}
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = k.Name
	}
	for start := 0; start < len(names); start += 10000 {
		end := min(start+10000, len(names))
		if err := c.kv.DeleteMany(ctx, names[start:end]); err != nil {
			return start, err
		}
	}
	if err := c.Invalidate(ctx, group); err != nil {
		return len(names), err
	}
	return len(names), nil
}

// EndOfDay is the lifetime of fragments that show "today's deals": they
// expire at the next midnight in loc, and live at least a minute.
func EndOfDay(now time.Time, loc *time.Location) time.Duration {
	local := now.In(loc)
	midnight := time.Date(local.Year(), local.Month(), local.Day()+1, 0, 0, 0, 0, loc)
	return max(midnight.Sub(now), time.Minute)
}
