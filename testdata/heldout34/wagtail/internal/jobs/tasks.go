package jobs

import (
	"context"
	"encoding/json"
	"log"
	"net/http"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"
	cfv3 "github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"

	"wagtail/internal/kvstore"
)

// PurgeLegacyDeliveries deletes delivery records written before deliveries
// had a TTL.
func PurgeLegacyDeliveries(ns string) Job {
	return func(ctx context.Context) error {
		prefix := kvstore.KindDelivery.Prefix() + ":"
		cursor := ""
		for {
			keys, next, err := kvstore.ListPage(ctx, ns, prefix, cursor, 1000) // EXPECT kvlist
			if err != nil {
				return err
			}
			var legacy []string
			for _, k := range keys {
				if k.Expiration == 0 {
					legacy = append(legacy, k.Name)
				}
			}
			if err := kvstore.DeleteMany(ctx, ns, legacy); err != nil {
				return err
			}
			if err := kvstore.PutBytes(ctx, ns, "jobs:purge-legacy:cursor", []byte(next), 0); err != nil { // EXPECT kvhotkey
				return err
			}
			if next == "" {
				return nil
			}
			cursor = next
		}
	}
}

// LogSizes reports the largest endpoint logs.
func LogSizes(ns string) Job {
	return func(ctx context.Context) error {
		prefix := kvstore.KindDeliveryLog.Prefix() + ":"
		cursor := ""
		for page := 0; page < 10; page++ {
			keys, next, err := kvstore.ListPage(ctx, ns, prefix, cursor, 5000) // EXPECT kvlimits
			if err != nil {
				return err
			}
			for _, k := range keys {
				raw, err := kvstore.GetBytes(ctx, ns, k.Name) // EXPECT kvlist
				if err != nil {
					continue
				}
				if len(raw) > 64<<10 {
					log.Printf("log-sizes: %s is %d bytes", k.Name, len(raw))
				}
			}
			if next == "" {
				break
			}
			cursor = next
		}
		return nil
	}
}

// RefreshProbes checks that each subscribed endpoint answers and caches the
// result for the dashboard.
func RefreshProbes(hooksNS, cacheNS string) Job {
	client := &http.Client{Timeout: 5 * time.Second}
	return func(ctx context.Context) error {
		return kvstore.Scan(ctx, hooksNS, kvstore.KindSubscription.Prefix()+":", 2000, func(k kvstore.KeyInfo) bool {
			host, _ := k.Meta["host"].(string)
			if host == "" {
				return true
			}
			req, err := http.NewRequestWithContext(ctx, http.MethodHead, "https://"+host+"/", nil)
			if err != nil {
				return true
			}
			res := map[string]any{"host": host, "at": time.Now().UTC()}
			if resp, err := client.Do(req); err != nil {
				res["error"] = err.Error()
			} else {
				resp.Body.Close()
				res["code"] = resp.StatusCode
			}
			raw, _ := json.Marshal(res)
			if err := kvstore.PutBytes(ctx, cacheNS, kvstore.KindProbe.Key(host), raw, kvstore.KindProbe.TTL()); err != nil { // EXPECT kvttl
				log.Printf("probe %s: %v", host, err)
			}
			return ctx.Err() == nil
		})
	}
}

// ShardConfig is the delivery configuration of one shard of senders.
type ShardConfig struct {
	Shard       string   `json:"shard"`
	Concurrency int      `json:"concurrency"`
	Regions     []string `json:"regions"`
}

// PublishShardConfig writes the delivery configuration read by the senders.
func PublishShardConfig(ns string, shards []ShardConfig) Job {
	_, set := kvstore.Bind(ns, kvstore.Key("config", "delivery"))
	return func(ctx context.Context) error {
		for _, sc := range shards {
			raw, err := json.Marshal(sc)
			if err != nil {
				return err
			}
			if err := set(ctx, raw, 0); err != nil { // EXPECT kvhotkey
				return err
			}
		}
		return nil
	}
}

// PublishFlags writes the feature flags once per run.
func PublishFlags(ns string, flags func() map[string]bool) Job {
	get, set := kvstore.Bind(ns, kvstore.Key("config", "flags"))
	return func(ctx context.Context) error {
		want, err := json.Marshal(flags())
		if err != nil {
			return err
		}
		if have, err := get(ctx); err == nil && string(have) == string(want) {
			return nil
		} else if err != nil && !kvstore.IsMiss(err) {
			return err
		}
		return set(ctx, want, 0)
	}
}

// Replay resends a list of deliveries and publishes the job's progress.
func Replay(ns, jobID string, ids []string, send func(context.Context, string) error) Job {
	return func(ctx context.Context) error {
		progress := struct {
			Done   int       `json:"done"`
			Failed int       `json:"failed"`
			Total  int       `json:"total"`
			At     time.Time `json:"at"`
		}{Total: len(ids)}
		for _, id := range ids {
			if err := send(ctx, id); err != nil {
				progress.Failed++
			} else {
				progress.Done++
			}
			progress.At = time.Now().UTC()
			raw, _ := json.Marshal(progress)
			if err := kvstore.PutBytes(ctx, ns, kvstore.Key("replay", jobID, "progress"), raw, 24*time.Hour); err != nil { // EXPECT kvhotkey
				return err
			}
		}
		return nil
	}
}

// PruneTagIndex drops tag index entries of deleted tags.
func PruneTagIndex(ns string, live func(name string) bool) Job {
	return func(ctx context.Context) error {
		params := cloudflare.ListWorkersKVsParams{NamespaceID: ns, Prefix: kvstore.KindTagIndex.Prefix() + ":", Limit: 1000}
		for page := 0; page < 20; page++ {
			resp, err := kvstore.API.ListWorkersKVKeys(ctx, kvstore.Account, params) // EXPECT kvlist
			if err != nil {
				return err
			}
			var dead []string
			for _, k := range resp.Result {
				if !live(strings.SplitN(k.Name, ":", 3)[1]) {
					dead = append(dead, k.Name)
				}
			}
			if err := kvstore.DeleteMany(ctx, ns, dead); err != nil {
				return err
			}
			if resp.Cursor == "" {
				return nil
			}
			params = cloudflare.ListWorkersKVsParams{NamespaceID: ns, Cursor: resp.Cursor, Limit: 1000}
		}
		return nil
	}
}

// CountSessions logs how many sessions are live.
func CountSessions(ns string) Job {
	return func(ctx context.Context) error {
		prefix := kvstore.KindSession.Prefix() + ":"
		total, cursor := 0, ""
		for page := 0; page < 50; page++ {
			keys, next, err := kvstore.ListPage(ctx, ns, prefix, cursor, 1000) // EXPECT kvlist
			if err != nil {
				return err
			}
			if len(keys) == 0 {
				break
			}
			total += len(keys)
			cursor = next
		}
		log.Printf("sessions: %d live", total)
		return nil
	}
}

// DeadLetterReport logs dead letters older than a day.
func DeadLetterReport(ns string) Job {
	return func(ctx context.Context) error {
		page, err := kvstore.V3.KV.Namespaces.Keys.List(ctx, ns, kv.NamespaceKeyListParams{ // EXPECT kvlist
			AccountID: cfv3.F(kvstore.AccountID),
			Prefix:    cfv3.F("dead:"),
			Limit:     cfv3.F(2500.0), // EXPECT kvlimits
		})
		for err == nil && page != nil && len(page.Result) > 0 {
			for _, k := range page.Result {
				if reason, _ := k.Metadata["reason"].(string); reason != "" {
					log.Printf("dead-letter %s: %s", k.Name, reason)
				}
			}
			page, err = page.GetNextPage()
		}
		return err
	}
}

// reindexChunk is how many tag index pairs go into one bulk request.
const reindexChunk = 25_000 // EXPECT kvlimits

// RebuildTagIndex rewrites the tag index from subscription metadata.
func RebuildTagIndex(ns string) Job {
	return func(ctx context.Context) error {
		index := map[string][]string{}
		err := kvstore.Scan(ctx, ns, kvstore.KindSubscription.Prefix()+":", 200_000, func(k kvstore.KeyInfo) bool {
			for name, v := range k.Meta {
				if s, ok := v.(string); ok && strings.HasPrefix(name, "tag.") {
					key := kvstore.KindTagIndex.Key(strings.TrimPrefix(name, "tag."), s)
					index[key] = append(index[key], k.Name[strings.LastIndex(k.Name, ":")+1:])
				}
			}
			return true
		})
		if err != nil {
			return err
		}
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(index))
		for key, ids := range index {
			raw, _ := json.Marshal(ids)
			body = append(body, kv.NamespaceBulkUpdateParamsBody{
				Key:   cfv3.F(key),
				Value: cfv3.F(string(raw)),
			})
		}
		for start := 0; start < len(body); start += reindexChunk {
			end := min(start+reindexChunk, len(body))
			if err := kvstore.BulkPut(ctx, ns, body[start:end]); err != nil {
				return err
			}
		}
		return nil
	}
}
