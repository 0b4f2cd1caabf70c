// Package mirror keeps the KV copy of the upstream package index in step
// with upstream. index.go talks to KV with cloudflare-go v0 directly;
// sync.go is the v2-based sync job.
package mirror

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

const (
	// manifestTTL bounds how long a cached manifest is served.
	manifestTTL = 10 * time.Minute
	// importChunk is how many index entries go into one bulk request.
	importChunk = 20_000
	// rootIndexKey holds the list of top-level index shards.
	rootIndexKey = "."
)

// Entry is one package in the upstream index.
type Entry struct {
	Name     string   `json:"name"`
	Latest   string   `json:"latest"`
	Versions []string `json:"versions"`
	Yanked   []string `json:"yanked,omitempty"`
	Checksum string   `json:"checksum"`
}

// Indexer writes index data with the v0 SDK.
type Indexer struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
	log *slog.Logger
}

// NewIndexer returns an Indexer for namespace ns of account.
func NewIndexer(api *cloudflare.API, account, ns string) *Indexer {
	return &Indexer{api: api, rc: cloudflare.AccountIdentifier(account), ns: ns, log: slog.Default()}
}

func entryPair(e Entry, ttl int) (*cloudflare.WorkersKVPair, error) {
	body, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	return &cloudflare.WorkersKVPair{
		Key:           "pkg:" + e.Name,
		Value:         string(body),
		ExpirationTTL: ttl,
		Metadata:      map[string]string{"latest": e.Latest},
	}, nil
}

// ImportSnapshot loads a full upstream snapshot into KV.
func (ix *Indexer) ImportSnapshot(ctx context.Context, entries []Entry) error {
	pairs := make([]*cloudflare.WorkersKVPair, 0, len(entries))
	for _, e := range entries {
		p, err := entryPair(e, 0)
		if err != nil {
			return err
		}
		pairs = append(pairs, p)
	}
	for start := 0; start < len(pairs); start += importChunk {
		chunk := pairs[start:min(start+importChunk, len(pairs))]
		if _, err := ix.api.WriteWorkersKVEntries(ctx, ix.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: ix.ns, KVs: chunk}); err != nil { // EXPECT kvlimits
			return fmt.Errorf("import [%d:]: %w", start, err)
		}
	}
	return nil
}

// WriteShards writes the shard list of the index root.
func (ix *Indexer) WriteShards(ctx context.Context, shards []string) error {
	_, err := ix.api.WriteWorkersKVEntry(ctx, ix.rc, cloudflare.WriteWorkersKVEntryParams{
		NamespaceID: ix.ns,
		Key:         rootIndexKey, // EXPECT kvlimits
		Value:       []byte(strings.Join(shards, "\n")),
	})
	return err
}

// CacheETag remembers the ETag of an upstream index page.
func (ix *Indexer) CacheETag(ctx context.Context, pageURL, etag string) error {
	_, err := ix.api.WriteWorkersKVEntries(ctx, ix.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: ix.ns,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:           "etag:" + pageURL,
			Value:         etag,
			ExpirationTTL: 45, // EXPECT kvttl
		}},
	})
	return err
}

// StoreManifest caches a package manifest.
func (ix *Indexer) StoreManifest(ctx context.Context, name string, manifest []byte) error {
	_, err := ix.api.WriteWorkersKVEntries(ctx, ix.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: ix.ns,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:           "manifest:" + name,
			Value:         string(manifest),
			ExpirationTTL: int(manifestTTL), // EXPECT kvttl
		}},
	})
	return err
}

// StoreChecksums caches the checksum file of a release for a day.
func (ix *Indexer) StoreChecksums(ctx context.Context, name, version string, sums []byte) error {
	_, err := ix.api.WriteWorkersKVEntries(ctx, ix.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: ix.ns,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:        "sums:" + name + "@" + version,
			Value:      string(sums),
			Expiration: int(time.Now().Add(24 * time.Hour).UnixMilli()), // EXPECT kvttl
		}},
	})
	return err
}

// StoreSignature caches a release signature until the signing key rotates.
func (ix *Indexer) StoreSignature(ctx context.Context, name, version string, sig []byte, rotates time.Time) error {
	if floor := time.Now().Add(time.Hour); rotates.Before(floor) {
		rotates = floor
	}
	_, err := ix.api.WriteWorkersKVEntries(ctx, ix.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: ix.ns,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:        "sig:" + name + "@" + version,
			Value:      string(sig),
			Expiration: int(rotates.Unix()),
		}},
	})
	return err
}

// MarkFresh tells edge readers that name was just synced, so they skip the
// upstream freshness probe for a short while.
func (ix *Indexer) MarkFresh(ctx context.Context, name string) error {
	_, err := ix.api.WriteWorkersKVEntries(ctx, ix.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: ix.ns,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:        "fresh:" + name,
			Value:      time.Now().UTC().Format(time.RFC3339),
			Expiration: int(time.Now().Unix() + 30), // EXPECT kvttl
		}},
	})
	return err
}

// StoreDocs caches rendered documentation for an hour.
func (ix *Indexer) StoreDocs(ctx context.Context, name string, html []byte) error {
	_, err := ix.api.WriteWorkersKVEntries(ctx, ix.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: ix.ns,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:           "docs:" + name,
			Value:         string(html),
			ExpirationTTL: int((time.Hour).Seconds()),
		}},
	})
	return err
}

// Reconcile writes upstream's document for name unless the mirror already
// has one (locally published packages must not be replaced).
func (ix *Indexer) Reconcile(ctx context.Context, e Entry) error {
	if _, err := ix.api.GetWorkersKV(ctx, ix.rc, cloudflare.GetWorkersKVParams{NamespaceID: ix.ns, Key: "pkg:" + e.Name}); err == nil { // EXPECT kvnull
		return nil
	}
	p, err := entryPair(e, 0)
	if err != nil {
		return err
	}
	_, err = ix.api.WriteWorkersKVEntry(ctx, ix.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: ix.ns, Key: p.Key, Value: []byte(p.Value)}) // DEBATABLE kvrace
	return err
}
