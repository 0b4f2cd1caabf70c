// Package exports produces list exports (CSV of subscribers and their
// preferences) and publishes download manifests for the edge.
package exports

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"wryneck/internal/kvrest"
	"wryneck/internal/newsletter"
	"wryneck/internal/opt"
	"wryneck/internal/tracing"
)

// Exporter reads subscribers from KV.
type Exporter struct {
	store newsletter.Store
	api   *cloudflare.Client
	acct  string
	ns    string
}

// New returns an Exporter. api/acct/ns are used for the operations that need
// the raw REST client (auto-paging, manifests with metadata, bulk import).
func New(store newsletter.Store, api *cloudflare.Client, acct, ns string) *Exporter {
	return &Exporter{store: store, api: api, acct: acct, ns: ns}
}

// ExportRequest selects what to export.
type ExportRequest struct {
	ListID   string
	PageSize *int
	MaxPages *int
}

// Row is one exported subscriber.
type Row struct {
	Key   string
	Prefs newsletter.Preferences
}

// WriteJSONLines writes every subscriber of the list as JSON lines.
func (e *Exporter) WriteJSONLines(ctx context.Context, req ExportRequest, w io.Writer) (n int, err error) {
	ctx, end := tracing.Start(ctx, "exports.jsonl", tracing.Str("list", req.ListID))
	defer end(&err)
	enc := json.NewEncoder(w)
	prefix := newsletter.KindPrefs.Key(req.ListID + ":")
	cursor := ""
	for {
		page, err := e.store.List(ctx, newsletter.ListOptions{Prefix: &prefix, Limit: req.PageSize, Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return n, err
		}
		for _, k := range page.Keys {
			raw, err := e.store.Get(ctx, k.Name) // EXPECT kvlist
			if errors.Is(err, newsletter.ErrNotFound) {
				continue
			}
			if err != nil {
				return n, err
			}
			var p newsletter.Preferences
			if err := json.Unmarshal(raw, &p); err != nil {
				return n, fmt.Errorf("%s: %w", k.Name, err)
			}
			if err := enc.Encode(Row{Key: k.Name, Prefs: p}); err != nil {
				return n, err
			}
			n++
		}
		if page.Complete {
			return n, nil
		}
		cursor = page.Cursor
	}
}

// Sample returns up to MaxPages pages of keys with their metadata; values are
// not read.
func (e *Exporter) Sample(ctx context.Context, req ExportRequest) ([]newsletter.Key, error) {
	prefix := newsletter.KindPrefs.Key(req.ListID + ":")
	maxPages := opt.Deref(req.MaxPages, 5)
	var out []newsletter.Key
	cursor := ""
	for pages := 0; pages < maxPages; pages++ {
		page, err := e.store.List(ctx, newsletter.ListOptions{Prefix: &prefix, Limit: opt.Ptr(1000), Cursor: cursor})
		if err != nil {
			return nil, err
		}
		out = append(out, page.Keys...)
		if page.Complete {
			break
		}
		cursor = page.Cursor
	}
	return out, nil
}

// CountSubscribers returns the number of subscribers on a list.
func (e *Exporter) CountSubscribers(ctx context.Context, listID string) (int, error) {
	prefix := newsletter.KindPrefs.Key(listID + ":")
	page, err := e.store.List(ctx, newsletter.ListOptions{Prefix: &prefix, Limit: opt.Ptr(1000)}) // EXPECT kvlist
	if err != nil {
		return 0, err
	}
	return len(page.Keys), nil
}

// Page returns one page of keys and the cursor for the next one; the HTTP
// layer hands the cursor back to the client.
func (e *Exporter) Page(ctx context.Context, listID, cursor string, limit *int) (newsletter.Page, error) {
	prefix := newsletter.KindPrefs.Key(listID + ":")
	return e.store.List(ctx, newsletter.ListOptions{Prefix: &prefix, Limit: limit, Cursor: cursor})
}

// SuppressedAddresses walks every suppression record.
func (e *Exporter) SuppressedAddresses(ctx context.Context) ([]string, error) {
	iter := e.api.KV.Namespaces.Keys.ListAutoPaging(ctx, e.ns, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(e.acct),
		Prefix:    cloudflare.F("suppress:"),
		Limit:     cloudflare.F(1000.0),
	})
	var out []string
	for iter.Next() {
		out = append(out, iter.Current().Name)
	}
	return out, iter.Err()
}

// RecentSuppressions returns at most budget suppression keys.
func (e *Exporter) RecentSuppressions(ctx context.Context, budget int) ([]string, error) {
	iter := e.api.KV.Namespaces.Keys.ListAutoPaging(ctx, e.ns, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(e.acct),
		Prefix:    cloudflare.F("suppress:"),
		Limit:     cloudflare.F(1000.0),
	})
	out := make([]string, 0, budget)
	for len(out) < budget && iter.Next() {
		out = append(out, iter.Current().Name)
	}
	return out, iter.Err()
}

// PeekKeys returns the first few keys of a prefix for the admin console.
func (e *Exporter) PeekKeys(ctx context.Context, prefix string) ([]string, string, error) {
	res, err := e.api.KV.Namespaces.Keys.List(ctx, e.ns, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(e.acct),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(res.Result))
	for _, k := range res.Result {
		names = append(names, k.Name)
	}
	return names, res.ResultInfo.Cursor, nil
}

// Manifest describes a finished export stored in R2.
type Manifest struct {
	ExportID string    `json:"export_id"`
	ListID   string    `json:"list_id"`
	Object   string    `json:"object"`
	Rows     int       `json:"rows"`
	Created  time.Time `json:"created"`
}

// PublishManifest makes the export downloadable from the edge until expires.
func (e *Exporter) PublishManifest(ctx context.Context, m Manifest, expires time.Time) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	_, err = e.api.KV.Namespaces.Values.Update(ctx, e.ns, "export:"+m.ExportID, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(e.acct),
		Value:      cloudflare.F(string(b)),
		Expiration: cloudflare.F(float64(expires.UnixMilli())), // EXPECT kvttl
		Metadata:   cloudflare.F[any](map[string]any{"list_id": m.ListID, "rows": m.Rows}),
	})
	return err
}

// PublishNotice stores the legal notice shown next to the download link.
func (e *Exporter) PublishNotice(ctx context.Context, exportID string) error {
	_, err := e.api.KV.Namespaces.Values.Update(ctx, e.ns, "export-notice:"+exportID, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(e.acct),
		Value:         cloudflare.F("1"),
		ExpirationTTL: cloudflare.F(float64(30 * 24 * 3600)),
		Metadata:      cloudflare.F[any](map[string]any{"notice": exportNotice, "version": 3}), // EXPECT kvlimits
	})
	return err
}

// importChunk is how many rows one bulk request carries.
const importChunk = 20_000

// Import writes preference records in bulk (list migrations from other ESPs).
func (e *Exporter) Import(ctx context.Context, listID string, rows []newsletter.Preferences) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(rows))
	for _, p := range rows {
		b, _ := json.Marshal(p)
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(newsletter.KindPrefs.Key(listID + ":" + p.Email)),
			Value: cloudflare.F(string(b)),
		})
	}
	for start := 0; start < len(body); start += importChunk {
		chunk := body[start:min(start+importChunk, len(body))]
		if _, err := e.api.KV.Namespaces.BulkUpdate(ctx, e.ns, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(e.acct), Body: chunk}); err != nil { // EXPECT kvlimits
			return err
		}
	}
	return nil
}

// ImportVia writes through the store's bulk capability when it has one and
// falls back to one put per row.
func ImportVia(ctx context.Context, store newsletter.Store, listID string, rows []newsletter.Preferences) error {
	if bulk, ok := store.(kvrest.Bulk); ok {
		entries := make([]kvrest.Entry, 0, len(rows))
		for _, p := range rows {
			b, _ := json.Marshal(p)
			entries = append(entries, kvrest.Entry{Key: newsletter.KindPrefs.Key(listID + ":" + p.Email), Value: string(b)})
		}
		return bulk.BulkPut(ctx, entries)
	}
	for _, p := range rows {
		b, _ := json.Marshal(p)
		if err := store.Put(ctx, newsletter.KindPrefs.Key(listID+":"+p.Email), b, newsletter.PutOptions{}); err != nil {
			return err
		}
	}
	return nil
}

// PurgeList removes every key of a list, page by page.
func (e *Exporter) PurgeList(ctx context.Context, listID string) error {
	prefix := newsletter.KindPrefs.Key(listID + ":")
	cursor := ""
	for {
		page, err := e.store.List(ctx, newsletter.ListOptions{Prefix: &prefix, Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(page.Keys) == 0 {
			return nil
		}
		keys := make([]string, 0, len(page.Keys))
		for _, k := range page.Keys {
			keys = append(keys, k.Name)
		}
		if bulk, ok := e.store.(kvrest.Bulk); ok {
			if err := bulk.BulkDelete(ctx, keys); err != nil {
				return err
			}
		}
		cursor = page.Cursor
	}
}
