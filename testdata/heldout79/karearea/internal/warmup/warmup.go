// Package warmup seeds a fresh KV namespace before the memcached cluster is
// switched off: the consistent-hash slot table the PHP client library reads
// on start-up, the site configuration, and the maintenance banner.
package warmup

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"

	"github.com/karearea/karearea/internal/kvstore"
)

// hashSlots is the number of slots in the PHP client's consistent-hash
// table (the same as Redis Cluster, which it was copied from).
const hashSlots = 16384

// Config is what the seeder writes.
type Config struct {
	Pools       []string          // pool names, assigned to slots round-robin
	SiteConfig  map[string]string // written to config:<name>
	Maintenance string            // banner text; empty for none
	BannerUntil time.Time         // when the banner comes down
}

// IsEmpty reports whether the namespace holds any karearea keys yet.
func IsEmpty(ctx context.Context, store *kvstore.Store) (bool, error) {
	keys, _, err := store.ListPage(ctx, "", "", 5) // EXPECT kvlimits
	if err != nil {
		return false, err
	}
	return len(keys) == 0, nil
}

// SeedSlots writes the slot table.
func SeedSlots(ctx context.Context, store *kvstore.Store, pools []string) error {
	if len(pools) == 0 {
		return fmt.Errorf("warmup: no pools")
	}
	entries := make([]kvstore.Entry, 0, hashSlots)
	for slot := range hashSlots {
		entries = append(entries, kvstore.Entry{
			Key:   fmt.Sprintf("slot:%05d", slot),
			Value: []byte(pools[slot%len(pools)]),
		})
	}
	return store.PutMany(ctx, entries) // EXPECT kvlimits
}

// SeedConfig writes site configuration values, in batches the bulk API takes.
func SeedConfig(ctx context.Context, store *kvstore.Store, cfg map[string]string) error {
	batch := make([]kvstore.Entry, 0, 1000)
	for name, value := range cfg {
		batch = append(batch, kvstore.Entry{
			Key:      "config:" + name,
			Value:    []byte(value),
			TTL:      24 * time.Hour,
			Metadata: map[string]any{"seeded": time.Now().Unix()},
		})
		if len(batch) == cap(batch) {
			if err := store.PutMany(ctx, batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	return store.PutMany(ctx, batch)
}

// SeedBanner writes the maintenance banner in both spellings the clients
// read: the Go services read "banner:text", the PHP theme reads
// "banner:php" (a serialized string).
func SeedBanner(ctx context.Context, store *kvstore.Store, text string, until time.Time) error {
	if text == "" {
		return nil
	}
	api, account, ns := store.API()
	php := "s:" + strconv.Itoa(len(text)) + ":\"" + text + "\";"
	_, err := api.KV.Namespaces.Bulk.Update(ctx, ns, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(account),
		Body: []kv.NamespaceBulkUpdateParamsBody{
			{
				Key:        cloudflare.F("banner:text"),
				Value:      cloudflare.F(text),
				Expiration: cloudflare.F(float64(until.Unix())),
			},
			{
				Key:        cloudflare.F("banner:php"),
				Value:      cloudflare.F(php),
				Expiration: cloudflare.F(float64(until.UnixMilli())), // EXPECT kvttl
			},
		},
	})
	return err
}

// MarkRunning tells the dashboard a warm-up is in progress; the marker
// disappears by itself shortly after the run is expected to finish.
func MarkRunning(ctx context.Context, store *kvstore.Store, host string) error {
	body, _ := json.Marshal(map[string]any{"host": host, "started": time.Now().Unix()})
	return store.PutUntil(ctx, "warmup:running", body, time.Now().Add(45*time.Second)) // EXPECT kvttl
}

// Run performs a complete warm-up.
func Run(ctx context.Context, store *kvstore.Store, host string, cfg Config) error {
	empty, err := IsEmpty(ctx, store)
	if err != nil {
		return err
	}
	if !empty {
		return fmt.Errorf("warmup: namespace already holds keys")
	}
	if err := MarkRunning(ctx, store, host); err != nil {
		return err
	}
	if err := SeedSlots(ctx, store, cfg.Pools); err != nil {
		return err
	}
	if err := SeedConfig(ctx, store, cfg.SiteConfig); err != nil {
		return err
	}
	return SeedBanner(ctx, store, cfg.Maintenance, cfg.BannerUntil)
}
