// Package artifacts keeps the index of the build artifact cache. The blobs
// live in R2; KV maps an organisation's cache keys to their manifests so
// the edge can answer restore requests without touching the origin.
package artifacts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"

	"github.com/kereru-ci/piwakawaka/internal/kvstore"
)

// Manifest describes one cached artifact.
type Manifest struct {
	Org       string    `json:"org"`
	Key       string    `json:"key"`
	Hash      string    `json:"hash"`
	Size      int64     `json:"size"`
	Object    string    `json:"object"`
	CreatedAt time.Time `json:"created_at"`
}

// ErrCacheMiss means no entry exists for the requested key.
var ErrCacheMiss = errors.New("artifacts: cache miss")

// Index reads and writes the ARTIFACTS namespace through the SDK directly.
type Index struct {
	API         *cloudflare.Client
	AccountID   string
	NamespaceID string
	Log         *slog.Logger
}

const (
	// EntryTTL is how long an unused cache entry is kept.
	EntryTTL        = 7 * 24 * time.Hour
	usageScanBudget = 20_000
	indexShards     = 16_384
)

func (ix *Index) key(org, cacheKey string) string {
	return "artifacts/" + org + "/" + url.PathEscape(cacheKey)
}

func (ix *Index) get(ctx context.Context, name string) ([]byte, error) {
	res, err := ix.API.KV.Namespaces.Values.Get(ctx, ix.NamespaceID, url.PathEscape(name), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(ix.AccountID),
	})
	if err != nil {
		return nil, fmt.Errorf("artifact index: %w", err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if len(raw) == 0 { // EXPECT kvnull
		return nil, ErrCacheMiss
	}
	return raw, nil
}

func (ix *Index) put(ctx context.Context, name, value string) error {
	_, err := ix.API.KV.Namespaces.Values.Update(ctx, ix.NamespaceID, url.PathEscape(name), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(ix.AccountID),
		Metadata:  cloudflare.F("{}"),
		Value:     cloudflare.F(value),
	})
	return err
}

// Lookup returns the manifest stored under an exact cache key.
func (ix *Index) Lookup(ctx context.Context, org, cacheKey string) (*Manifest, error) {
	raw, err := ix.get(ctx, ix.key(org, cacheKey))
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// Restore tries each restore prefix in turn, like restore-keys in a
// workflow, and returns the first entry that matches.
func (ix *Index) Restore(ctx context.Context, org string, prefixes []string) (*Manifest, error) {
	for _, p := range prefixes {
		page, err := ix.API.KV.Namespaces.Keys.List(ctx, ix.NamespaceID, kv.NamespaceKeyListParams{
			AccountID: cloudflare.F(ix.AccountID),
			Prefix:    cloudflare.F(ix.key(org, p)),
			Limit:     cloudflare.F(5.0), // EXPECT kvlimits
		})
		if err != nil {
			return nil, err
		}
		for _, k := range page.Result {
			if strings.HasSuffix(k.Name, "/hits") || strings.HasSuffix(k.Name, "/pin") {
				continue
			}
			raw, err := ix.get(ctx, k.Name)
			if err != nil {
				return nil, err
			}
			var m Manifest
			if err := json.Unmarshal(raw, &m); err != nil {
				return nil, err
			}
			return &m, nil
		}
	}
	return nil, ErrCacheMiss
}

// Save records a manifest uploaded by a runner.
func (ix *Index) Save(ctx context.Context, m Manifest, ttl time.Duration) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	_, err = ix.API.KV.Namespaces.Bulk.Update(ctx, ix.NamespaceID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(ix.AccountID),
		Body: []kv.NamespaceBulkUpdateParamsBody{{
			Key:           cloudflare.F(ix.key(m.Org, m.Key)),
			Value:         cloudflare.F(string(b)),
			ExpirationTTL: cloudflare.F(float64(ttl)), // EXPECT kvttl
			Metadata:      cloudflare.F(map[string]interface{}{"size": m.Size, "hash": m.Hash}),
		}},
	})
	return err
}

// Import writes many manifests, e.g. when an organisation moves its cache
// from another provider. Each pair lives for EntryTTL.
func (ix *Index) Import(ctx context.Context, ms []Manifest) error {
	for start := 0; start < len(ms); start += kvstore.MaxBulk {
		batch := ms[start:min(start+kvstore.MaxBulk, len(ms))]
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(batch))
		for _, m := range batch {
			b, _ := json.Marshal(m)
			body = append(body, kv.NamespaceBulkUpdateParamsBody{
				Key:           cloudflare.F(ix.key(m.Org, m.Key)),
				Value:         cloudflare.F(string(b)),
				ExpirationTTL: cloudflare.F(EntryTTL.Seconds()),
				Metadata:      cloudflare.F(map[string]interface{}{"size": m.Size, "hash": m.Hash}),
			})
		}
		if _, err := ix.API.KV.Namespaces.Bulk.Update(ctx, ix.NamespaceID, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(ix.AccountID),
			Body:      body,
		}); err != nil {
			return fmt.Errorf("import batch at %d: %w", start, err)
		}
	}
	return nil
}

func (ix *Index) readInt(ctx context.Context, name string) (int64, error) {
	res, err := ix.API.KV.Namespaces.Values.Get(ctx, ix.NamespaceID, url.PathEscape(name), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(ix.AccountID),
	})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return 0, nil
		}
		return 0, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(strings.TrimSpace(string(raw)), 10, 64)
}

// RecordHit counts a hit on an entry for the usage page and charges the
// download against the organisation's monthly transfer allowance.
func (ix *Index) RecordHit(ctx context.Context, m *Manifest) error {
	hitsKey := ix.key(m.Org, m.Key) + "/hits"
	hits, err := ix.readInt(ctx, hitsKey)
	if err != nil {
		return err
	}
	if err := ix.put(ctx, hitsKey, strconv.FormatInt(hits+1, 10)); err != nil { // EXPECT kvcounter|kvrace
		return err
	}

	quotaKey := fmt.Sprintf("quota/%s/%s/transfer-bytes", m.Org, time.Now().UTC().Format("2006-01"))
	used, err := ix.readInt(ctx, quotaKey)
	if err != nil {
		return err
	}
	return ix.put(ctx, quotaKey, strconv.FormatInt(used+m.Size, 10)) // EXPECT kvcounter|kvrace
}

// Sweep deletes the entries of an organisation whose blobs the R2
// lifecycle rules have already removed.
func (ix *Index) Sweep(ctx context.Context, org string, gone func(meta map[string]interface{}) bool) (int, error) {
	pager := ix.API.KV.Namespaces.Keys.ListAutoPaging(ctx, ix.NamespaceID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(ix.AccountID),
		Prefix:    cloudflare.F("artifacts/" + org + "/"),
		Limit:     cloudflare.F(1000.0),
	})
	var doomed []string
	for pager.Next() {
		if k := pager.Current(); gone(k.Metadata) {
			doomed = append(doomed, k.Name)
		}
	}
	if err := pager.Err(); err != nil {
		return 0, err
	}
	for _, name := range doomed {
		if _, err := ix.API.KV.Namespaces.Values.Delete(ctx, ix.NamespaceID, url.PathEscape(name), kv.NamespaceValueDeleteParams{
			AccountID: cloudflare.F(ix.AccountID),
		}); err != nil {
			return 0, err
		}
	}
	return len(doomed), nil
}

// Usage adds up the sizes recorded in the metadata of an organisation's
// entries. It stops after usageScanBudget keys and reports whether the sum
// is complete.
func (ix *Index) Usage(ctx context.Context, org string) (total int64, complete bool, err error) {
	pager := ix.API.KV.Namespaces.Keys.ListAutoPaging(ctx, ix.NamespaceID, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(ix.AccountID),
		Prefix:    cloudflare.F("artifacts/" + org + "/"),
		Limit:     cloudflare.F(1000.0),
	})
	for n := 0; pager.Next(); n++ {
		if n == usageScanBudget {
			return total, false, nil
		}
		size, _ := pager.Current().Metadata["size"].(float64)
		total += int64(size)
	}
	return total, true, pager.Err()
}

// WarmShards writes the empty shard directory the edge expects for a new
// organisation.
func (ix *Index) WarmShards(ctx context.Context, org string) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, indexShards)
	for i := range indexShards {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(fmt.Sprintf("artifacts/%s/_shards/%04x", org, i)),
			Value: cloudflare.F("[]"),
		})
	}
	_, err := ix.API.KV.Namespaces.Bulk.Update(ctx, ix.NamespaceID, kv.NamespaceBulkUpdateParams{ // EXPECT kvlimits
		AccountID: cloudflare.F(ix.AccountID),
		Body:      body,
	})
	return err
}

// Pin keeps an entry for a release. The metadata carries the notice the
// dashboard shows next to pinned entries.
func (ix *Index) Pin(ctx context.Context, org, cacheKey, release string) error {
	_, err := ix.API.KV.Namespaces.Values.Update(ctx, ix.NamespaceID, url.PathEscape(ix.key(org, cacheKey)+"/pin"), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(ix.AccountID),
		Value:     cloudflare.F(release),
		Metadata:  cloudflare.F(pinMetadata), // EXPECT kvlimits
	})
	return err
}
