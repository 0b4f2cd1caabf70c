//go:build js && wasm

package cronjobs

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"example.com/ledger/internal/consts"
	"example.com/ledger/internal/storage"
)

// sweepHolds removes holds written by the v1 checkout API, which did not
// set an expiry.
func (j *Runner) sweepHolds(ctx context.Context) (int, error) {
	opts := &cloudflare.KVNamespaceListOptions{Prefix: string(consts.PrefixHold) + ":"}
	removed := 0
	for {
		res, err := j.kv.List(opts) // EXPECT kvlist
		if err != nil {
			return removed, err
		}
		for _, k := range res.Keys {
			if k.Expiration != 0 {
				continue
			}
			if err := j.kv.Delete(k.Name); err != nil {
				return removed, err
			}
			removed++
		}
		if res.ListComplete {
			return removed, nil
		}
		opts.Cursor = res.Cursor
	}
}

// memberCounts records how many loyalty members each shop has.
func (j *Runner) memberCounts(ctx context.Context) (int, error) {
	opts := &cloudflare.KVNamespaceListOptions{
		Prefix: string(consts.PrefixCustomer) + ":",
		Limit:  2000, // EXPECT kvlimits
	}
	counts := map[string]int{}
	deadline := time.Now().Add(20 * time.Second)
	for page := 0; page < consts.MaxSweepPages && time.Now().Before(deadline); page++ {
		res, err := j.kv.List(opts)
		if err != nil {
			return 0, err
		}
		for _, k := range res.Keys {
			parts := strings.SplitN(k.Name, ":", 3)
			if len(parts) == 3 {
				counts[parts[1]]++
			}
		}
		if res.ListComplete {
			break
		}
		opts.Cursor = res.Cursor
	}
	for shopID, n := range counts {
		if err := j.store.Put(ctx, consts.PrefixSummary.Key(shopID, "members"), strconv.Itoa(n), storage.WithTTL(48*time.Hour)); err != nil {
			return len(counts), err
		}
	}
	return len(counts), nil
}

// pruneReceipts deletes per-event receipts of shops that have left the
// programme; other receipts expire on their own.
func (j *Runner) pruneReceipts(ctx context.Context) (int, error) {
	q := storage.ListQuery{Prefix: string(consts.PrefixReceipt) + ":", Limit: 1000}
	known := map[string]bool{}
	removed := 0
	for range consts.MaxSweepPages {
		page, err := j.store.List(ctx, q) // EXPECT kvlist
		if err != nil {
			return removed, err
		}
		if len(page.Keys) == 0 {
			break
		}
		for _, k := range page.Keys {
			shopID, _, _ := strings.Cut(strings.TrimPrefix(k, string(consts.PrefixReceipt)+":"), ":")
			active, seen := known[shopID]
			if !seen {
				_, err := j.shops.Get(ctx, shopID)
				active = !storage.IsNotFound(err)
				known[shopID] = active
			}
			if !active {
				if err := j.store.Delete(ctx, k); err != nil {
					return removed, err
				}
				removed++
			}
		}
		q.Cursor = page.Cursor
	}
	return removed, nil
}
