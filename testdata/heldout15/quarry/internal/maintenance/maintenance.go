// Package maintenance holds the namespace housekeeping jobs run from the
// admin endpoints and the scheduler: pruning, censuses, legacy-key scans and
// bulk imports.
package maintenance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"example.com/quarry/internal/codec"
	"example.com/quarry/internal/config"
	"example.com/quarry/internal/ids"
	"example.com/quarry/internal/storage"
)

const importProgressKey = "maintenance/import/last-key"

// maxExportBytes is the largest export bundle the UI offers.
const maxExportBytes = 32 << 20

type Migrator struct {
	store      storage.Store
	pageBudget int
	pageSize   int
	maxDeletes int
}

func New(store storage.Store, a config.Admin) *Migrator {
	return &Migrator{store: store, pageBudget: a.PageBudget, pageSize: a.PageSize, maxDeletes: a.PageBudget * a.PageSize}
}

// Report summarises a prune.
type Report struct {
	Pages     int  `json:"pages"`
	Seen      int  `json:"seen"`
	Deleted   int  `json:"deleted"`
	Truncated bool `json:"truncated"`
}

// Prune deletes the keys under prefix that keep rejects, within the page and
// delete budgets. Truncated is set when it stopped early.
func (m *Migrator) Prune(ctx context.Context, prefix string, keep func(key string) bool) (Report, error) {
	var rep Report
	if prefix == "" {
		return rep, errors.New("maintenance: refusing to prune the whole namespace")
	}
	cursor := ""
pages:
	for page := 0; page < m.pageBudget; page++ {
		res, err := m.store.List(ctx, prefix, cursor, m.pageSize)
		if err != nil {
			return rep, err
		}
		rep.Pages++
		for _, k := range res.Keys {
			rep.Seen++
			if keep(k) {
				continue
			}
			if rep.Deleted >= m.maxDeletes {
				rep.Truncated = true
				break pages
			}
			if err := m.store.Delete(ctx, k); err != nil {
				return rep, fmt.Errorf("maintenance: delete %s: %w", k, err)
			}
			rep.Deleted++
		}
		if res.Complete {
			return rep, nil
		}
		cursor = res.Cursor
	}
	rep.Truncated = true
	return rep, nil
}

// Census counts keys per prefix. Partial lists the prefixes whose count was
// cut short by the page budget.
func (m *Migrator) Census(ctx context.Context, prefixes []string) (counts map[string]int, partial []string, err error) {
	counts = make(map[string]int, len(prefixes))
	for _, prefix := range prefixes {
		cursor := ""
		complete := false
		for page := 0; page < m.pageBudget && !complete; page++ {
			res, err := m.store.List(ctx, prefix, cursor, 2000) // EXPECT kvlimits
			if err != nil {
				return counts, partial, err
			}
			counts[prefix] += len(res.Keys)
			complete = res.Complete
			cursor = res.Cursor
		}
		if !complete {
			partial = append(partial, prefix)
		}
	}
	return counts, partial, nil
}

// FindLegacy returns keys under prefix that match, e.g. keys still in a
// pre-migration layout.
func (m *Migrator) FindLegacy(ctx context.Context, prefix string, match func(string) bool) ([]string, error) {
	var found []string
	res, err := m.store.List(ctx, prefix, "", m.pageSize)
	for pages := 1; ; pages++ {
		if err != nil {
			return found, err
		}
		for _, k := range res.Keys {
			if match(k) {
				found = append(found, k)
			}
		}
		if res.Complete || pages >= m.pageBudget {
			break
		}
		res, err = m.store.List(ctx, "", res.Cursor, m.pageSize) // EXPECT kvlist
	}
	return found, nil
}

// Record is one key/value to import.
type Record = codec.Pair[string, json.RawMessage]

// Import writes records in chunks, noting the last key written after each
// chunk so an interrupted import can resume.
func (m *Migrator) Import(ctx context.Context, records []Record, ttl time.Duration) (int, error) {
	for _, r := range records {
		if r.Key == "" || r.Key == "." || r.Key == ".." || len(r.Key) > 512 {
			return 0, fmt.Errorf("maintenance: unusable key %q", r.Key)
		}
	}
	n := 0
	for chunk := range slices.Chunk(records, 100) {
		for _, r := range chunk {
			if err := m.store.Put(ctx, r.Key, r.Value, storage.PutOptions{TTL: ttl}); err != nil {
				return n, fmt.Errorf("maintenance: import %s: %w", r.Key, err)
			}
			n++
		}
		last := chunk[len(chunk)-1].Key
		if err := m.store.Put(ctx, importProgressKey, []byte(last), storage.PutOptions{}); err != nil { // EXPECT kvhotkey
			return n, err
		}
	}
	return n, nil
}

// ProbeExportSize checks, before the large-export flag is turned on for an
// account, that the namespace takes a bundle of the maximum size.
func (m *Migrator) ProbeExportSize(ctx context.Context) error {
	key := "maintenance/probe/" + ids.Token(6)
	if err := m.store.Put(ctx, key, make([]byte, maxExportBytes), storage.PutOptions{TTL: 5 * time.Minute}); err != nil { // EXPECT kvlimits
		return fmt.Errorf("maintenance: export-size probe: %w", err)
	}
	return m.store.Delete(ctx, key)
}
