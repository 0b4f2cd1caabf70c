// Package edge publishes read-mostly data for the edge workers and keeps
// small per-deployment markers. Use must be called once from main.
package edge

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"
)

// Namespace is the KV namespace the edge workers read.
type Namespace struct {
	API *cloudflare.API
	RC  *cloudflare.ResourceContainer
	ID  string
}

var kv *Namespace

// Use installs the namespace.
func Use(ns *Namespace) { kv = ns }

// Put writes a value without expiry.
func Put(ctx context.Context, key string, value []byte) error {
	_, err := kv.API.WriteWorkersKVEntry(ctx, kv.RC, cloudflare.WriteWorkersKVEntryParams{NamespaceID: kv.ID, Key: key, Value: value})
	return err
}

// PutTTL writes a value that expires after ttl (at least one minute).
func PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	secs := int(ttl.Seconds())
	if secs < 60 {
		secs = 60
	}
	_, err := kv.API.WriteWorkersKVEntries(ctx, kv.RC, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: kv.ID,
		KVs:         []*cloudflare.WorkersKVPair{{Key: key, Value: string(value), ExpirationTTL: secs}},
	})
	return err
}

// fetch returns the value, or ok=false when it cannot be read.
func fetch(ctx context.Context, key string) ([]byte, bool) {
	b, err := kv.API.GetWorkersKV(ctx, kv.RC, cloudflare.GetWorkersKVParams{NamespaceID: kv.ID, Key: key}) // EXPECT kvnull
	if err != nil {
		return nil, false
	}
	return b, true
}

// Settings are a project's edge routing settings.
type Settings struct {
	Origin     string `json:"origin"`
	CacheHTML  bool   `json:"cache_html"`
	MaintMode  bool   `json:"maint_mode"`
	CustomHost string `json:"custom_host"`
}

// EnsureSettings writes default settings for a project that has none.
func EnsureSettings(ctx context.Context, project, origin string) error {
	key := fmt.Sprintf("edge/%s/settings", project)
	if _, ok := fetch(ctx, key); ok {
		return nil
	}
	b, err := json.Marshal(Settings{Origin: origin, CacheHTML: true})
	if err != nil {
		return err
	}
	return Put(ctx, key, b)
}

// PublishRoute writes the route of one deployment under its own key.
func PublishRoute(ctx context.Context, project, env, deployID, origin string) error {
	meta := struct {
		Deploy string `json:"deploy"`
		At     int64  `json:"at"`
	}{deployID, time.Now().Unix()}
	_, err := kv.API.WriteWorkersKVEntries(ctx, kv.RC, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: kv.ID,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:      fmt.Sprintf("routes/%s/%s", project, env),
			Value:    origin,
			Metadata: meta,
		}},
	})
	return err
}

// PreviewBanner shows a banner on preview deployments for the next two minutes.
func PreviewBanner(ctx context.Context, project, text string) error {
	_, err := kv.API.WriteWorkersKVEntries(ctx, kv.RC, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: kv.ID,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:        "banners/" + project,
			Value:      text,
			Expiration: int(time.Now().Add(2 * time.Minute).Unix()),
		}},
	})
	return err
}

const shardCount = 16384

// SeedShards writes the initial routing shard table in one request.
func SeedShards(ctx context.Context, origin string) error {
	pairs := make([]*cloudflare.WorkersKVPair, 0, shardCount)
	for i := range shardCount {
		pairs = append(pairs, &cloudflare.WorkersKVPair{Key: fmt.Sprintf("shards/%05d", i), Value: origin})
	}
	_, err := kv.API.WriteWorkersKVEntries(ctx, kv.RC, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: kv.ID, KVs: pairs}) // EXPECT kvlimits
	return err
}

// PublishHosts writes the custom host table in chunks the bulk API accepts.
func PublishHosts(ctx context.Context, hosts map[string]string) error {
	const chunk = 10000
	pairs := make([]*cloudflare.WorkersKVPair, 0, len(hosts))
	for h, project := range hosts {
		pairs = append(pairs, &cloudflare.WorkersKVPair{Key: "hosts/" + h, Value: project, ExpirationTTL: 3600})
	}
	for start := 0; start < len(pairs); start += chunk {
		end := min(start+chunk, len(pairs))
		if _, err := kv.API.WriteWorkersKVEntries(ctx, kv.RC, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: kv.ID, KVs: pairs[start:end]}); err != nil {
			return err
		}
	}
	return nil
}
