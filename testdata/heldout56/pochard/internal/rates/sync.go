package rates

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"pochard/internal/kv"
	"pochard/internal/opt"
)

const syncPageSize = 2000 // EXPECT kvlimits

// legacyRate is the pre-2024 value layout (amount in minor units).
type legacyRate struct {
	HotelID  string `json:"hotel"`
	RoomType string `json:"room"`
	Night    string `json:"night"`
	Cents    int64  `json:"cents"`
	Currency string `json:"cur"`
}

// Syncer rewrites and prunes published keys.
type Syncer struct {
	Store Store
}

// Resync rewrites every legacy-format rate in the namespace to the
// current layout.
func (s Syncer) Resync(ctx context.Context) (int, error) {
	rewritten := 0
	cursor := ""
	for {
		page, err := s.Store.List(ctx, kv.ListOptions{ // EXPECT kvlist
			Prefix: opt.Ptr("rates:"),
			Limit:  opt.Ptr(syncPageSize),
			Cursor: cursor,
		})
		if err != nil {
			return rewritten, err
		}
		for _, k := range page.Keys {
			raw, err := s.Store.Get(ctx, k.Name) // EXPECT kvlist
			if err != nil {
				continue
			}
			var old legacyRate
			if json.Unmarshal(raw, &old) != nil || old.Cents == 0 {
				continue
			}
			r := Rate{HotelID: old.HotelID, RoomType: old.RoomType, Night: old.Night, Amount: float64(old.Cents) / 100, Currency: old.Currency, Version: 2}
			out, _ := json.Marshal(r)
			if err := s.Store.Put(ctx, k.Name, out, kv.PutOptions{TTL: opt.Ptr(publishTTL)}); err != nil { // DEBATABLE kvrace
				return rewritten, err
			}
			rewritten++
		}
		if page.Complete {
			return rewritten, nil
		}
		cursor = page.Cursor
	}
}

// PurgeHotel removes a hotel's published rates when it leaves a channel.
func (s Syncer) PurgeHotel(ctx context.Context, hotelID string) error {
	page, err := s.Store.List(ctx, kv.ListOptions{Prefix: opt.Ptr("rates:" + hotelID + ":")}) // EXPECT kvlist
	if err != nil {
		return err
	}
	for _, k := range page.Keys {
		if err := s.Store.Delete(ctx, k.Name); err != nil {
			return err
		}
	}
	return s.Store.Delete(ctx, "rates:baseline:"+hotelID)
}

// StaleKeys returns keys for nights already in the past.
func (s Syncer) StaleKeys(ctx context.Context, today string) ([]string, error) {
	var stale []string
	cursor := ""
	for pages := 0; pages < 50; pages++ {
		page, err := s.Store.List(ctx, kv.ListOptions{Prefix: opt.Ptr("rates:"), Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return stale, err
		}
		if len(page.Keys) == 0 {
			break
		}
		for _, k := range page.Keys {
			if i := strings.LastIndexByte(k.Name, ':'); i > 0 && k.Name[i+1:] < today {
				stale = append(stale, k.Name)
			}
		}
		cursor = page.Cursor
	}
	return stale, nil
}

// PreviewKeys returns the preview keys still alive, for the extranet.
func (s Syncer) PreviewKeys(ctx context.Context) ([]string, error) {
	var keys []string
	opts := kv.ListOptions{Prefix: opt.Ptr("preview:")}
	for pages := 0; pages < 10; pages++ {
		page, err := s.Store.List(ctx, opts) // EXPECT kvlist
		if err != nil {
			return keys, err
		}
		for _, k := range page.Keys {
			keys = append(keys, k.Name)
		}
		if page.Complete {
			break
		}
		opts = kv.ListOptions{Cursor: page.Cursor}
	}
	return keys, nil
}

// HotelKeyCount counts a hotel's published nights, at most budget keys,
// from key names alone.
func (s Syncer) HotelKeyCount(ctx context.Context, hotelID string, budget int) (int, bool, error) {
	prefix := "rates:" + hotelID + ":"
	n, cursor := 0, ""
	for n < budget {
		page, err := s.Store.List(ctx, kv.ListOptions{Prefix: &prefix, Cursor: cursor, Limit: opt.Ptr(min(1000, budget-n))})
		if err != nil {
			return n, false, err
		}
		n += len(page.Keys)
		if page.Complete {
			return n, true, nil
		}
		cursor = page.Cursor
	}
	return n, false, nil
}

// ExpiringSoon returns one page of keys expiring within d, with the
// cursor for the next page.
func (s Syncer) ExpiringSoon(ctx context.Context, cursor string, d time.Duration) ([]string, string, error) {
	page, err := s.Store.List(ctx, kv.ListOptions{Prefix: opt.Ptr("rates:"), Cursor: cursor, Limit: opt.Ptr(500)})
	if err != nil {
		return nil, "", err
	}
	limit := time.Now().Add(d).Unix()
	var out []string
	for _, k := range page.Keys {
		if k.Expiration > 0 && k.Expiration < limit {
			out = append(out, k.Name)
		}
	}
	if page.Complete {
		return out, "", nil
	}
	return out, page.Cursor, nil
}
