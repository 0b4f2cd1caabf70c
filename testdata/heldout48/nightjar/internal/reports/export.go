// Package reports exports and maintains invoice data for the finance team.
package reports

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"github.com/ledgerline/nightjar/internal/keys"
	"github.com/ledgerline/nightjar/internal/kvstore"
)

var (
	tenants     = keys.Key("t")
	exportsRoot = keys.Key("exports")
)

// Exporter produces invoice exports.
type Exporter struct {
	kv  *kvstore.Logged
	log *slog.Logger
}

// NewExporter returns an Exporter.
func NewExporter(kv *kvstore.Logged, log *slog.Logger) *Exporter {
	return &Exporter{kv: kv, log: log}
}

// ExportTenant writes every invoice of tenant to w as JSON lines.
func (e *Exporter) ExportTenant(ctx context.Context, tenant, exportID string, w io.Writer) (int, error) {
	bw := bufio.NewWriter(w)
	prefix := tenants.With(tenant).Child("inv").Prefix()
	progress := exportsRoot.With(exportID).Child("progress").String()
	written := 0
	cursor := ""
	for {
		page, err := e.kv.ListPage(ctx, prefix, cursor, 1000) // EXPECT kvlist
		if err != nil {
			return written, err
		}
		for _, k := range page.Keys {
			if strings.Count(strings.TrimPrefix(k.Name, prefix), ":") > 0 {
				continue // sub-keys such as :due and :notes
			}
			raw, err := e.kv.Get(ctx, k.Name) // EXPECT kvlist
			if err != nil {
				return written, err
			}
			bw.Write(raw)
			bw.WriteByte('\n')
			written++
			if err := e.kv.Put(ctx, progress, []byte(fmt.Sprint(written)), time.Hour); err != nil { // EXPECT kvhotkey
				e.log.WarnContext(ctx, "export progress not saved", "export", exportID, "err", err)
			}
		}
		if page.Cursor == "" {
			break
		}
		cursor = page.Cursor
	}
	return written, bw.Flush()
}

// InvoicePage is one page of invoice keys for the dashboard's list view.
type InvoicePage struct {
	IDs    []string `json:"ids"`
	Cursor string   `json:"cursor,omitempty"`
}

// ListInvoices returns one page of invoice IDs; pass the returned cursor
// to get the next page.
func (e *Exporter) ListInvoices(ctx context.Context, tenant, cursor string, limit int) (InvoicePage, error) {
	limit = min(max(limit, 10), 1000)
	prefix := tenants.With(tenant).Child("inv").Prefix()
	page, err := e.kv.ListPage(ctx, prefix, cursor, limit)
	if err != nil {
		return InvoicePage{}, err
	}
	out := InvoicePage{Cursor: page.Cursor}
	for _, k := range page.Keys {
		id := strings.TrimPrefix(k.Name, prefix)
		if !strings.Contains(id, ":") {
			out.IDs = append(out.IDs, id)
		}
	}
	return out, nil
}

// HasInvoices reports whether tenant has issued anything yet.
func (e *Exporter) HasInvoices(ctx context.Context, tenant string) (bool, error) {
	api, rc, ns := e.kv.Raw().API()
	resp, err := api.ListWorkersKVKeys(ctx, rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: ns,
		Prefix:      tenants.With(tenant).Child("inv").Prefix(),
		Limit:       1, // EXPECT kvlimits
	})
	if err != nil {
		return false, err
	}
	return len(resp.Result) > 0, nil
}
