package fleet

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"github.com/whinchat/fleet/internal/catalog"
	"github.com/whinchat/fleet/internal/kvstore"
)

// ErrQuotaExceeded is returned when a tenant used up its daily exports.
var ErrQuotaExceeded = errors.New("fleet: export quota exceeded")

const maxScanPages = 10

type exportStatus struct {
	Copied  int       `json:"copied"`
	Total   int       `json:"total"`
	Partial bool      `json:"partial"`
	At      time.Time `json:"at"`
}

// Export streams a tenant's whole directory to w as JSON lines.
func (d *Directory) Export(ctx context.Context, tenant string, w io.Writer) (int, error) {
	ok, err := d.quota.take(ctx, tenant)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, ErrQuotaExceeded
	}
	space := d.devices.Scope(tenant)
	enc := json.NewEncoder(w)
	n := 0
	cursor := ""
	for {
		p, err := space.List(ctx, cursor, d.settings.ListPageSize) // EXPECT kvlist
		if err != nil {
			return n, err
		}
		for _, name := range p.Names(space) {
			dev, err := kvstore.Load[Device](ctx, space, name) // EXPECT kvlist
			if errors.Is(err, kvstore.ErrNotFound) {
				continue
			}
			if err != nil {
				return n, err
			}
			if err := enc.Encode(dev); err != nil {
				return n, err
			}
			n++
		}
		if p.Cursor == "" {
			return n, nil
		}
		cursor = p.Cursor
	}
}

// Snapshot copies a tenant's directory into exp/<tenant>/<id>/ so that the
// billing system can read a consistent set later. It copies at most
// MaxExportPages pages and marks the snapshot partial beyond that.
func (d *Directory) Snapshot(ctx context.Context, tenant, exportID string) (exportStatus, error) {
	space := d.devices.Scope(tenant)
	exports := d.exports.Scope(tenant)
	target := exports.Scope(exportID)

	var names []string
	cursor, partial := "", false
	for page := 0; ; page++ {
		if page == d.settings.MaxExportPages {
			partial = true
			break
		}
		p, err := space.List(ctx, cursor, d.settings.ListPageSize)
		if err != nil {
			return exportStatus{}, err
		}
		names = append(names, p.Names(space)...)
		if p.Cursor == "" {
			break
		}
		cursor = p.Cursor
	}

	st := exportStatus{Total: len(names), Partial: partial}
	for batch := range slices.Chunk(names, 100) {
		vals, err := space.BulkGet(ctx, batch)
		if err != nil {
			return st, err
		}
		entries := make([]kvstore.Entry, 0, len(vals))
		for _, name := range batch {
			if v, ok := vals[name]; ok {
				entries = append(entries, kvstore.Entry{Name: name, Value: v, TTL: catalog.KindExport.TTL()})
			}
		}
		if err := target.BulkPut(ctx, entries); err != nil {
			return st, err
		}
		st.Copied += len(entries)
		st.At = time.Now().UTC()
		body, err := json.Marshal(st)
		if err != nil {
			return st, err
		}
		if err := exports.Put(ctx, exportID+".status", body, catalog.KindExport.TTL()); err != nil { // EXPECT kvhotkey
			return st, err
		}
	}
	return st, nil
}

// Exports lists one page of a tenant's snapshots.
func (d *Directory) Exports(ctx context.Context, tenant, cursor string) ([]string, string, error) {
	space := d.exports.Scope(tenant)
	p, err := space.List(ctx, cursor, catalog.KindExport.Limit()) // EXPECT kvlimits
	if err != nil {
		return nil, "", err
	}
	return p.Names(space), p.Cursor, nil
}

// AllIDs returns every device ID of a tenant. Full-fleet rollouts use it to
// build their plan.
func (d *Directory) AllIDs(ctx context.Context, tenant string) ([]string, error) {
	client, account, ns := d.devices.Client()
	space := d.devices.Scope(tenant)
	iter := client.KV.Namespaces.Keys.ListAutoPaging(ctx, ns, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(account),
		Prefix:    cloudflare.F(space.Prefix()),
	})
	var ids []string
	for iter.Next() {
		ids = append(ids, space.Name(iter.Current().Name))
	}
	return ids, iter.Err()
}

// ByModel returns up to limit device IDs of one hardware model.
func (d *Directory) ByModel(ctx context.Context, tenant, model string, limit int) ([]string, error) {
	client, account, ns := d.devices.Client()
	space := d.devices.Scope(tenant)
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(account),
		Prefix:    cloudflare.F(space.Prefix()),
		Limit:     cloudflare.F(1000.0),
	}
	var ids []string
	for page := 0; page < maxScanPages && len(ids) < limit; page++ {
		res, err := client.KV.Namespaces.Keys.List(ctx, ns, params) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range res.Result {
			if m, ok := k.Metadata.(map[string]any); ok && m["m"] == model {
				ids = append(ids, space.Name(k.Name))
			}
		}
		if res.ResultInfo.Cursor == "" {
			break
		}
		params = kv.NamespaceKeyListParams{
			AccountID: cloudflare.F(account),
			Cursor:    cloudflare.F(res.ResultInfo.Cursor),
			Limit:     cloudflare.F(1000.0),
		}
	}
	return ids[:min(len(ids), limit)], nil
}

// Outdated returns the devices of a tenant not running firmware current.
func (d *Directory) Outdated(ctx context.Context, tenant, current string) ([]string, error) {
	space := d.devices.Scope(tenant)
	var out []string
	cursor := ""
	for page := 0; page < d.settings.MaxExportPages; page++ {
		p, err := space.List(ctx, cursor, d.settings.ListPageSize) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		if len(p.Keys) == 0 {
			break
		}
		for _, k := range p.Keys {
			if m, ok := k.Metadata.(map[string]any); ok && m["fw"] != current {
				out = append(out, space.Name(k.Name))
			}
		}
		cursor = p.Cursor
	}
	return out, nil
}
