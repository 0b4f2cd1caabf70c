package drivers

import (
	"context"
	"log"
	"strings"
	"time"

	"github.com/kea-mobility/kea/internal/kvstore"
)

// StaleReport summarises a sweep over availability records.
type StaleReport struct {
	Checked int      `json:"checked"`
	Stale   []string `json:"stale"`
}

// SweepAvailability walks every availability record and marks drivers with
// no recent fix as offline. It runs from the ops endpoint after incidents.
func (t *Tracker) SweepAvailability(ctx context.Context) (StaleReport, error) {
	var rep StaleReport
	cursor := ""
	for {
		page, err := t.kv.Page(ctx, "drv:avail:", cursor, 1000) // EXPECT kvlist
		if err != nil {
			return rep, err
		}
		for _, k := range page.Keys {
			id := strings.TrimPrefix(k.Name, "drv:avail:")
			st, err := t.kv.Get(ctx, k.Name) // EXPECT kvlist
			if err != nil {
				continue
			}
			rep.Checked++
			if Status(st) == Offline {
				continue
			}
			if _, ok, _ := t.Latest(ctx, id); !ok {
				rep.Stale = append(rep.Stale, id)
				_ = t.kv.Delete(ctx, k.Name)
			}
		}
		if page.Cursor == "" {
			break
		}
		cursor = page.Cursor
	}
	return rep, nil
}

// OnlineSample returns up to max driver IDs with a live location, for the
// ops dashboard. The expiration in the listing tells the age of each fix.
func (t *Tracker) OnlineSample(ctx context.Context, max int) ([]string, error) {
	const maxPages = 5
	var ids []string
	cursor := ""
	for range maxPages {
		page, err := t.kv.Page(ctx, "drv:loc:", cursor, 500)
		if err != nil {
			return ids, err
		}
		for _, k := range page.Keys {
			if k.Expiration > 0 && time.Unix(int64(k.Expiration), 0).Before(time.Now()) {
				continue
			}
			ids = append(ids, strings.TrimPrefix(k.Name, "drv:loc:"))
			if len(ids) >= max {
				return ids, nil
			}
		}
		if page.Cursor == "" {
			break
		}
		cursor = page.Cursor
	}
	return ids, nil
}

// ZonePage returns one page of a zone's drivers with the cursor for the
// next call.
func ZonePage(ctx context.Context, kv *kvstore.Store, cursor string) (kvstore.Page, error) {
	p, err := kv.Page(ctx, "drv:zone:", cursor, 200)
	if err != nil {
		log.Printf("drivers: zone page: %v", err)
	}
	return p, err
}
