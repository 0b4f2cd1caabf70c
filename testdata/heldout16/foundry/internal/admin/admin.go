// Package admin holds operator tasks over whole namespaces: audits,
// backfills and asset publishing. They run from foundryctl, never on the
// request path.
package admin

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/foundry/internal/kvstore"
)

// Walker runs admin jobs against one namespace.
type Walker struct {
	cf        *cloudflare.Client
	accountID string
	ns        string
	store     kvstore.Store
	log       *slog.Logger
}

// NewWalker returns a Walker. store is the port view of the same namespace.
func NewWalker(cf *cloudflare.Client, accountID, ns string, store kvstore.Store, log *slog.Logger) *Walker {
	return &Walker{cf: cf, accountID: accountID, ns: ns, store: store, log: log}
}

// Audit counts keys per top-level prefix.
func (w *Walker) Audit(ctx context.Context) (map[string]int, error) {
	counts := map[string]int{}
	q := kvstore.ListQuery{Limit: 1000}
	for {
		page, err := w.store.List(ctx, q) // EXPECT kvlist
		if err != nil {
			return counts, err
		}
		for _, k := range page.Keys {
			top, _, _ := strings.Cut(k.Name, "/")
			counts[top]++
		}
		if page.Complete {
			return counts, nil
		}
		q.Cursor = page.Cursor
	}
}

// Sample returns one page of keys under prefix and the cursor to continue
// from.
func (w *Walker) Sample(ctx context.Context, prefix, cursor string) ([]string, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(w.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(5000.0), // EXPECT kvlimits
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := w.cf.KV.Namespaces.Keys.List(ctx, w.ns, params)
	if err != nil {
		return nil, "", err
	}
	names := make([]string, len(page.Result))
	for i, k := range page.Result {
		names[i] = k.Name
	}
	return names, page.ResultInfo.Cursor, nil
}

// Backfill runs fn for every id, recording progress so an interrupted run
// can resume.
func (w *Walker) Backfill(ctx context.Context, job string, ids []string, fn func(context.Context, string) error) error {
	checkpoint := "admin/backfill/" + job
	for i, id := range ids {
		if err := fn(ctx, id); err != nil {
			return fmt.Errorf("backfill %s: %s: %w", job, id, err)
		}
		if err := w.store.Put(ctx, checkpoint, []byte(id)); err != nil { // EXPECT kvhotkey
			return err
		}
		if i%100 == 0 {
			w.log.Info("backfill progress", "job", job, "done", i+1, "total", len(ids))
		}
	}
	return nil
}
