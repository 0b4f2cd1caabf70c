// Package exports produces subscriber list exports. An export is written
// to KV in parts of a few hundred rows, plus a manifest that the dashboard
// uses to offer the download.
package exports

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"

	"example.com/larkspur/internal/backend/cfkv"
	"example.com/larkspur/internal/keys"
	"example.com/larkspur/internal/kvstore"
)

// exportSchema describes the columns of an export. It is stored as the
// manifest's metadata so that clients can render the table without
// downloading a part first.
const exportSchema = `{"version":3,"format":"jsonl","columns":[` +
	`{"name":"email","type":"string","pii":true,"description":"Address as entered at signup, lower-cased for matching but stored as typed."},` +
	`{"name":"email_hash","type":"string","pii":false,"description":"SHA-256 of the normalised address, used as the subscriber key."},` +
	`{"name":"status","type":"enum","values":["pending","active","unsubscribed","bounced"],"description":"Lifecycle state at export time."},` +
	`{"name":"topics","type":"array<string>","description":"Topics chosen in the preference center; empty means all topics."},` +
	`{"name":"source","type":"string","description":"Form, import or API client that created the subscriber."},` +
	`{"name":"created_at","type":"timestamp","format":"RFC 3339","description":"When the address first signed up, before confirmation."},` +
	`{"name":"confirmed_at","type":"timestamp","format":"RFC 3339","description":"When the double-opt-in link was clicked; absent for pending subscribers."},` +
	`{"name":"expires","type":"timestamp","format":"RFC 3339","description":"When the pending record lapses if it is never confirmed."}` +
	`]}`

// Row is one exported subscriber.
type Row struct {
	EmailHash string         `json:"email_hash"`
	Fields    map[string]any `json:"fields,omitempty"`
	Expires   *time.Time     `json:"expires,omitempty"`
}

// Manifest describes a finished export.
type Manifest struct {
	ExportID  string    `json:"export_id"`
	ListID    string    `json:"list_id"`
	Parts     int       `json:"parts"`
	Rows      int       `json:"rows"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Exporter writes exports.
type Exporter struct {
	st       kvstore.Bulk
	api      *cloudflare.Client
	target   cfkv.Target
	ks       keys.Space
	pageSize int
	partRows int
	keep     time.Duration
}

// New returns an Exporter over c. pageSize is the listing page size from
// configuration.
func New(c *cfkv.Client, ks keys.Space, pageSize int) *Exporter {
	api, t := c.API()
	return &Exporter{st: c, api: api, target: t, ks: ks, pageSize: pageSize, partRows: 500, keep: 7 * 24 * time.Hour}
}

func (e *Exporter) rowOf(listID string, k kvstore.KeyInfo) Row {
	r := Row{EmailHash: strings.TrimPrefix(k.Name, e.ks.Subscribers(listID)), Fields: k.Metadata}
	if !k.Expiration.IsZero() {
		exp := k.Expiration
		r.Expires = &exp
	}
	return r
}

// Run exports every subscriber of a list. Subscriber fields come from key
// metadata, so no value is read.
func (e *Exporter) Run(ctx context.Context, exportID, listID string) (Manifest, error) {
	prefix := e.ks.Subscribers(listID)
	var rows []Row
	cursor := ""
	for {
		page, err := e.st.List(ctx, prefix, kvstore.WithCursor(cursor), kvstore.WithLimit(e.pageSize)) // EXPECT kvlist
		if err != nil {
			return Manifest{}, err
		}
		for _, k := range page.Keys {
			rows = append(rows, e.rowOf(listID, k))
		}
		if page.Complete {
			break
		}
		cursor = page.Cursor
	}
	now := time.Now().UTC()
	m := Manifest{ExportID: exportID, ListID: listID, Rows: len(rows), CreatedAt: now, ExpiresAt: now.Add(e.keep)}
	parts := slices.Collect(slices.Chunk(rows, e.partRows))
	m.Parts = len(parts)
	if err := e.writeParts(ctx, exportID, parts, m.ExpiresAt); err != nil {
		return Manifest{}, err
	}
	return m, e.writeManifest(ctx, m)
}

func encodeRows(rows []Row) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, r := range rows {
		if err := enc.Encode(r); err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), nil
}

func (e *Exporter) writeParts(ctx context.Context, exportID string, parts [][]Row, expires time.Time) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(parts))
	for i, part := range parts {
		b, err := encodeRows(part)
		if err != nil {
			return err
		}
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:        cloudflare.F(e.ks.Export(exportID, i)),
			Value:      cloudflare.F(string(b)),
			Expiration: cloudflare.F(float64(expires.UnixMilli())), // EXPECT kvttl
		})
	}
	_, err := e.api.KV.Namespaces.Bulk.Update(ctx, e.target.NamespaceID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(e.target.AccountID),
		Body:      body,
	})
	return err
}

func (e *Exporter) writeManifest(ctx context.Context, m Manifest) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	_, err = e.api.KV.Namespaces.Values.Update(ctx, e.target.NamespaceID, url.PathEscape(e.ks.ExportManifest(m.ExportID)), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(e.target.AccountID),
		Value:     cloudflare.F(string(b)),
		Metadata:  cloudflare.F(exportSchema), // EXPECT kvlimits
	})
	return err
}
