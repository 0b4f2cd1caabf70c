package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"gadwall/internal/keys"
	"gadwall/internal/kvstore"
	"gadwall/internal/license"
)

const (
	// bulkChunk is the most pairs one bulk request may carry.
	bulkChunk = 10_000
	// legacyChunk sizes the batches of the one-off migration from the old
	// licensing vendor.
	legacyChunk = 25_000
)

// ImportLicenses stores licences exported from the old licensing vendor
// into a tenant namespace.
func (j *Jobs) ImportLicenses(ctx context.Context, tenantID string, lics []license.License) error {
	t, err := j.tenants.Lookup(tenantID)
	if err != nil {
		return err
	}
	entries := make([]kvstore.Entry, 0, len(lics))
	for _, l := range lics {
		b, err := json.Marshal(l)
		if err != nil {
			return fmt.Errorf("import %s: %w", l.ID, err)
		}
		entries = append(entries, kvstore.Entry{
			Key:      l.ID.String(),
			Value:    b,
			Metadata: map[string]any{"customer": l.Customer, "plan": l.Plan},
		})
	}
	if bw, ok := t.KV.(kvstore.BulkWriter); ok {
		for start := 0; start < len(entries); start += bulkChunk {
			end := min(start+bulkChunk, len(entries))
			if err := bw.PutMany(ctx, entries[start:end]); err != nil {
				return fmt.Errorf("import chunk at %d: %w", start, err)
			}
		}
		return nil
	}
	for i, e := range entries {
		if err := t.KV.Put(ctx, keys.Raw(e.Key), e.Value); err != nil {
			return fmt.Errorf("import %s: %w", e.Key, err)
		}
		if err := t.KV.Put(ctx, keys.Static("import/checkpoint"), []byte(strconv.Itoa(i))); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// ImportLegacyGrants copies offline grants from the legacy export into the
// central namespace.
func (j *Jobs) ImportLegacyGrants(ctx context.Context, grants map[string][]byte, expires map[string]time.Time) error {
	api, rc, ns := j.central.API()
	pairs := make([]*cloudflare.WorkersKVPair, 0, len(grants))
	for k, v := range grants {
		p := &cloudflare.WorkersKVPair{Key: k, Value: string(v)}
		if exp, ok := expires[k]; ok {
			p.Expiration = int(exp.Unix())
		}
		pairs = append(pairs, p)
	}
	for start := 0; start < len(pairs); start += legacyChunk {
		end := min(start+legacyChunk, len(pairs))
		if _, err := api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: ns, KVs: pairs[start:end]}); err != nil { // EXPECT kvlimits
			return fmt.Errorf("legacy grants chunk at %d: %w", start, err)
		}
	}
	return nil
}
