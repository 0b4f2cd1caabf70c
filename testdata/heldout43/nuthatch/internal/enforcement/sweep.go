//go:build !js

package enforcement

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/cityparking/nuthatch/internal/kvkeys"
	"github.com/cityparking/nuthatch/internal/kvstore"
)

// Sweeper runs the nightly housekeeping of a city's namespace.
type Sweeper struct {
	Scanner *Scanner
	// MaxPages bounds each listing; zero means the default.
	MaxPages int
}

const (
	defaultMaxPages = 50
	pageSize        = 1000
	deleteBatch     = 10_000
)

// ArchivePaidCitations removes citations that were paid more than a year ago.
func (sw *Sweeper) ArchivePaidCitations(ctx context.Context, t *kvstore.Tenant) (int, error) {
	cutoff := sw.Scanner.Clock.Now().AddDate(-1, 0, 0)
	var stale []string
	cursor := ""
	for {
		page, err := t.KV.ListPage(ctx, kvkeys.CitationPrefix(t.City), cursor, pageSize) // EXPECT kvlist
		if err != nil {
			return 0, err
		}
		for _, k := range page.Keys {
			if strings.HasSuffix(k.Name, "/notes") {
				continue
			}
			raw, err := t.KV.Get(ctx, k.Name) // EXPECT kvlist
			if err != nil {
				return 0, err
			}
			var c struct {
				PaidAt *time.Time `json:"paid_at"`
			}
			if err := json.Unmarshal(raw, &c); err != nil {
				slog.WarnContext(ctx, "unreadable citation", "key", k.Name, "err", err)
				continue
			}
			if c.PaidAt != nil && c.PaidAt.Before(cutoff) {
				stale = append(stale, k.Name, k.Name+"/notes")
			}
		}
		if page.Cursor == "" {
			break
		}
		cursor = page.Cursor
	}
	for start := 0; start < len(stale); start += deleteBatch {
		if err := t.KV.DeleteMany(ctx, stale[start:min(start+deleteBatch, len(stale))]); err != nil {
			return start / 2, err
		}
	}
	return len(stale) / 2, nil
}

// PurgeScans deletes handheld scans of a day, a bounded number of pages per
// run; the next night picks up where this one stopped.
func (sw *Sweeper) PurgeScans(ctx context.Context, t *kvstore.Tenant, officer string) (string, error) {
	maxPages := sw.MaxPages
	if maxPages <= 0 {
		maxPages = defaultMaxPages
	}
	prefix := "scans/" + t.City + "/" + officer + "/"
	cursor := ""
	for i := 0; i < maxPages; i++ {
		page, err := t.KV.ListPage(ctx, prefix, cursor, pageSize)
		if err != nil {
			return cursor, err
		}
		names := make([]string, 0, len(page.Keys))
		for _, k := range page.Keys {
			names = append(names, k.Name)
		}
		if len(names) > 0 {
			if err := t.KV.DeleteMany(ctx, names); err != nil {
				return cursor, err
			}
		}
		if page.Cursor == "" {
			return "", nil
		}
		cursor = page.Cursor
	}
	return cursor, nil
}

// ExportVehicles writes every vehicle key of the city to w, one per line.
func (sw *Sweeper) ExportVehicles(ctx context.Context, t *kvstore.Tenant, w io.Writer) (int, error) {
	iter := t.KV.Keys(ctx, "vehicles/"+t.City+"/") // EXPECT kvlist
	n := 0
	for iter.Next() {
		if _, err := fmt.Fprintln(w, iter.Current().Name); err != nil {
			return n, err
		}
		n++
	}
	return n, iter.Err()
}

// SampleVehicles writes at most limit vehicle keys for the audit sample.
func (sw *Sweeper) SampleVehicles(ctx context.Context, t *kvstore.Tenant, w io.Writer, limit int) (int, error) {
	iter := t.KV.Keys(ctx, "vehicles/"+t.City+"/")
	n := 0
	for n < limit && iter.Next() {
		if _, err := fmt.Fprintln(w, iter.Current().Name); err != nil {
			return n, err
		}
		n++
	}
	return n, iter.Err()
}

// HasCitations reports whether a plate has any citation notes on record.
func (sw *Sweeper) HasCitations(ctx context.Context, t *kvstore.Tenant, plate string) (bool, error) {
	page, err := t.KV.ListPage(ctx, kvkeys.VehicleKey{City: t.City, Plate: plate}.String(), "", 1) // EXPECT kvlimits
	if err != nil {
		return false, err
	}
	return len(page.Keys) > 0, nil
}

// PermitCount counts the permit records of a city, up to the page budget.
func (sw *Sweeper) PermitCount(ctx context.Context, t *kvstore.Tenant) (int, error) {
	n := 0
	cursor := ""
	for range defaultMaxPages {
		page, err := t.KV.ListPage(ctx, kvkeys.PermitPrefix(t.City), cursor, 5000) // EXPECT kvlimits
		if err != nil {
			return 0, err
		}
		n += len(page.Keys)
		if page.Cursor == "" {
			return n, nil
		}
		cursor = page.Cursor
	}
	return n, fmt.Errorf("permit count for %s truncated after %d pages", t.City, defaultMaxPages)
}

// OfficerQuota records how many citations each officer wrote today, as
// reported by the citation store.
func (sw *Sweeper) OfficerQuota(ctx context.Context, t *kvstore.Tenant, perOfficer map[string]int) error {
	day := sw.Scanner.Clock.Now().Format("2006-01-02")
	for officer, n := range perOfficer {
		key := strings.Join([]string{"quota", "officer", officer, day}, "/")
		if err := t.KV.Put(ctx, key, fmt.Appendf(nil, "%d", n), 48*time.Hour); err != nil { // DEBATABLE kvcounter
			return err
		}
	}
	return nil
}
