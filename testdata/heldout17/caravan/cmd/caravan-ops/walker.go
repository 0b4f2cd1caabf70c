package main

import (
	"context"
	"encoding/json"
	"io"
	"time"

	cf2 "github.com/cloudflare/cloudflare-go/v2"
	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
)

// Walker runs operator commands against one account. The walk, sample and
// inspect commands were written against the v2 client and still use it.
type Walker struct {
	V6        *cloudflare.Client
	V2        *cf2.Client
	AccountID string
	Out       io.Writer
}

// Namespaces lists the account's KV namespaces.
func (w *Walker) Namespaces(ctx context.Context) ([]kv.Namespace, error) {
	pager := w.V6.KV.Namespaces.ListAutoPaging(ctx, kv.NamespaceListParams{
		AccountID: cloudflare.F(w.AccountID),
		PerPage:   cloudflare.F(100.0),
	})
	var out []kv.Namespace
	for pager.Next() {
		out = append(out, pager.Current())
	}
	return out, pager.Err()
}

// Export writes every key of the namespace, with expiration and metadata, as
// JSON lines.
func (w *Walker) Export(ctx context.Context, namespaceID string) (int, error) {
	enc := json.NewEncoder(w.Out)
	pager := w.V6.KV.Namespaces.Keys.ListAutoPaging(ctx, namespaceID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(w.AccountID),
		Limit:     cloudflare.F(1000.0),
	})
	n := 0
	for pager.Next() {
		k := pager.Current()
		if err := enc.Encode(map[string]any{"name": k.Name, "expiration": int64(k.Expiration), "metadata": k.Metadata}); err != nil {
			return n, err
		}
		n++
	}
	return n, pager.Err()
}

// Count counts the keys under prefix, reading at most maxPages pages, and
// reports whether the count is complete.
func (w *Walker) Count(ctx context.Context, namespaceID, prefix string, maxPages int) (int, bool, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(w.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(1000.0),
	}
	total := 0
	for range maxPages {
		page, err := w.V6.KV.Namespaces.Keys.List(ctx, namespaceID, params)
		if err != nil {
			return total, false, err
		}
		total += len(page.Result)
		if page.ResultInfo.Cursors.After == "" {
			return total, true, nil
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursors.After)
	}
	return total, false, nil
}

// Manifest describes what a namespace holds, for the runbook.
type Manifest struct {
	Owner     string            `json:"owner"`
	Purpose   string            `json:"purpose"`
	Prefixes  map[string]string `json:"prefixes"`
	UpdatedAt time.Time         `json:"updated_at"`
}

// WriteManifest stores m at the root entry of the namespace.
func (w *Walker) WriteManifest(ctx context.Context, namespaceID string, m Manifest) error {
	body, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.V6.KV.Namespaces.Values.Update(ctx, namespaceID,
		".", // EXPECT kvlimits
		kv.NamespaceValueUpdateParams{
			AccountID: cloudflare.F(w.AccountID),
			Value:     cloudflare.F(string(body)),
		})
	return err
}
