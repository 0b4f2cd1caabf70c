//go:build !js

package permits

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/cityparking/nuthatch/internal/kvkeys"
	"github.com/cityparking/nuthatch/internal/kvstore"
)

// bulkChunk is the number of pairs sent per bulk request.
const bulkChunk = 25_000

// Importer loads permits exported from a city's legacy system.
type Importer struct {
	Finder *Finder
}

// ImportCSV reads rows of "plate,zone,holder,kind,valid_until" and writes
// permit and plate-index records for city.
func (im *Importer) ImportCSV(ctx context.Context, city string, r io.Reader) (int, error) {
	t, err := im.Finder.Tenants.For(city)
	if err != nil {
		return 0, err
	}
	rows, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return 0, err
	}
	now := im.Finder.Clock.Now()
	var entries []kvstore.Entry
	for i, row := range rows {
		if len(row) < 5 {
			return 0, fmt.Errorf("row %d: want 5 columns, got %d", i+1, len(row))
		}
		until, err := time.Parse("2006-01-02", row[4])
		if err != nil {
			return 0, fmt.Errorf("row %d: %w", i+1, err)
		}
		if until.Before(now) {
			continue
		}
		p, err := im.Finder.New(city)
		if err != nil {
			return 0, err
		}
		p.Plate, p.Zone, p.HolderID, p.Kind = kvkeys.NormalizePlate(row[0]), row[1], row[2], Kind(row[3])
		p.ValidFrom, p.ValidUntil = now, until
		body, err := json.Marshal(p)
		if err != nil {
			return 0, err
		}
		ttl := until.Add(retention).Sub(now)
		entries = append(entries,
			kvstore.Entry{Key: p.key().String(), Value: body, TTL: ttl},
			kvstore.Entry{Key: kvkeys.PlateKey{City: city, Plate: p.Plate}.String(), Value: []byte(p.ID), TTL: ttl},
		)
	}

	var st any = t.KV
	if bw, ok := st.(kvstore.BulkWriter); ok {
		for start := 0; start < len(entries); start += bulkChunk {
			if err := bw.PutMany(ctx, entries[start:min(start+bulkChunk, len(entries))]); err != nil { // EXPECT kvlimits
				return start, err
			}
		}
		return len(entries) / 2, nil
	}
	for i, e := range entries {
		if err := t.KV.Put(ctx, e.Key, e.Value, e.TTL); err != nil {
			return i / 2, err
		}
	}
	return len(entries) / 2, nil
}
