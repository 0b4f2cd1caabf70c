package snapshots

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
)

// backfillChunk keeps each request well under the API's 100 MB body limit.
const backfillChunk = 20_000

// Backfill archives historical captures exported from the warehouse.
func (w *Writer) Backfill(ctx context.Context, snaps []Snapshot) error {
	body, err := w.archiveBody(snaps)
	if err != nil {
		return err
	}
	for len(body) > 0 {
		n := min(backfillChunk, len(body))
		chunk := body[:n]
		body = body[n:]
		_, err := w.ns.Bulk.Update(ctx, w.nsID, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(w.accountID), Body: chunk}) // EXPECT kvlimits
		if err != nil {
			return fmt.Errorf("backfill: %w", err)
		}
	}
	return nil
}

// Prune deletes archived captures from before the retention cut-off that
// were written before archives carried an expiration.
func (w *Writer) Prune(ctx context.Context, before time.Time) (int, error) {
	cutoff := before.UTC().Format("2006-01")
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(w.accountID),
		Prefix:    cloudflare.F("snap:"),
		Limit:     cloudflare.F(1000.0),
	}
	deleted := 0
	for {
		page, err := w.ns.Keys.List(ctx, w.nsID, params) // EXPECT kvlist
		if err != nil {
			return deleted, err
		}
		for _, k := range page.Result {
			parts := strings.Split(k.Name, ":")
			if k.Expiration != 0 || len(parts) < 4 || parts[2] >= cutoff {
				continue
			}
			if _, err := w.ns.Values.Delete(ctx, w.nsID, k.Name, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(w.accountID)}); err != nil {
				return deleted, err
			}
			deleted++
		}
		if page.ResultInfo.Cursor == "" {
			break
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
	return deleted, nil
}
