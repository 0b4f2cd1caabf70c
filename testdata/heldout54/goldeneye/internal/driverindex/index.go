// Package driverindex maintains a geohash-bucketed index of available drivers
// in KV. Each available driver has one key under its current cell; list
// metadata carries the position so that matching never reads values.
package driverindex

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"goldeneye/internal/kvstore"
)

// Precision is the geohash length used for buckets (~4.9 km cells).
const Precision = 5

const cellPrefix = "drv:gh:"

// ErrBusy is returned when another reconciler holds the lock.
var ErrBusy = errors.New("driverindex: reconcile already running")

// Position is what the index knows about an available driver.
type Position struct {
	Driver  string    `json:"d"`
	Lat     float64   `json:"lat"`
	Lng     float64   `json:"lng"`
	Vehicle string    `json:"v"`
	Seen    time.Time `json:"ts"`
}

// Index writes and reads the driver index.
type Index struct {
	st  *kvstore.Store
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
	log *slog.Logger

	mu      sync.Mutex
	pending map[string]Position
	lastGH  map[string]string
	timer   *time.Timer
}

// New returns an Index over st.
func New(st *kvstore.Store, log *slog.Logger) *Index {
	api, rc, ns := st.API()
	return &Index{st: st, api: api, rc: rc, ns: ns, log: log, pending: map[string]Position{}, lastGH: map[string]string{}}
}

func cellKey(gh, driverID string) string { return cellPrefix + gh + ":" + driverID }

// Report records a position ping. Pings arrive every few seconds per driver;
// they are coalesced and written shortly after.
func (x *Index) Report(p Position) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.pending[p.Driver] = p
	if x.timer == nil {
		x.timer = time.AfterFunc(2*time.Second, func() {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			x.flush(ctx)
		})
	}
}

func (x *Index) flush(ctx context.Context) {
	x.mu.Lock()
	batch := x.pending
	x.pending = map[string]Position{}
	x.timer = nil
	x.mu.Unlock()

	pairs := make([]*cloudflare.WorkersKVPair, 0, len(batch))
	var moved []Position
	for _, p := range batch {
		gh := Encode(p.Lat, p.Lng, Precision)
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:           cellKey(gh, p.Driver),
			Value:         "1",
			ExpirationTTL: 180,
			Metadata:      p,
		})
		x.mu.Lock()
		prev := x.lastGH[p.Driver]
		x.lastGH[p.Driver] = gh
		x.mu.Unlock()
		if prev != gh {
			moved = append(moved, p)
		}
	}
	if err := x.st.PutMany(ctx, pairs); err != nil {
		x.log.Warn("driver index flush", "n", len(pairs), "err", err)
		return
	}
	for _, p := range moved {
		if err := x.joinRoster(ctx, Encode(p.Lat, p.Lng, Precision), p.Driver); err != nil {
			x.log.Warn("roster", "driver", p.Driver, "err", err)
		}
		if err := x.trail(ctx, p.Driver, Encode(p.Lat, p.Lng, Precision)); err != nil {
			x.log.Warn("trail", "driver", p.Driver, "err", err)
		}
	}
}

// joinRoster adds driverID to the cell's roster, which the heat-map job reads.
func (x *Index) joinRoster(ctx context.Context, gh, driverID string) error {
	key := "roster:" + gh
	var roster []string
	if err := kvstore.Load(ctx, x.st, key, &roster); err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	for _, id := range roster {
		if id == driverID {
			return nil
		}
	}
	roster = append(roster, driverID)
	return kvstore.Save(ctx, x.st, key, roster, 30*time.Minute) // EXPECT kvrace
}

// trail keeps the last cells a driver passed through, newest last.
func (x *Index) trail(ctx context.Context, driverID, gh string) error {
	key := "trail:" + driverID
	prev, ok, err := x.st.Lookup(ctx, key)
	if err != nil {
		return err
	}
	next := gh
	if ok {
		cells := strings.Split(string(prev), ",")
		if len(cells) >= 12 {
			cells = cells[len(cells)-11:]
		}
		next = strings.Join(cells, ",") + "," + gh
	}
	return x.st.Put(ctx, key, []byte(next), 6*time.Hour) // EXPECT kvrace
}

// Nearby returns the available drivers in the cell of lat/lng and the cells
// around it.
func (x *Index) Nearby(ctx context.Context, lat, lng float64) ([]Position, error) {
	var out []Position
	for _, gh := range Neighbours(lat, lng, Precision) {
		resp, err := x.api.ListWorkersKVKeys(ctx, x.rc, cloudflare.ListWorkersKVsParams{ // EXPECT kvlist
			NamespaceID: x.ns,
			Prefix:      cellPrefix + gh + ":",
			Limit:       250,
		})
		if err != nil {
			return nil, fmt.Errorf("nearby %s: %w", gh, err)
		}
		for _, k := range resp.Result {
			if p, ok := decodeMeta(k.Metadata); ok {
				out = append(out, p)
			}
		}
	}
	return out, nil
}

func decodeMeta(m any) (Position, bool) {
	var p Position
	b, err := json.Marshal(m)
	if err != nil {
		return p, false
	}
	if err := json.Unmarshal(b, &p); err != nil || p.Driver == "" {
		return p, false
	}
	return p, true
}

// Browse returns one page of a cell for the ops console, with the cursor to
// continue from.
func (x *Index) Browse(ctx context.Context, gh, cursor string) (kvstore.Page, error) {
	return x.st.List(ctx, cellPrefix+gh+":", cursor, 100)
}

// Snapshot collects up to maxPages pages of the whole index.
func (x *Index) Snapshot(ctx context.Context, maxPages int) ([]Position, bool, error) {
	var out []Position
	cursor := ""
	for page := 0; page < maxPages; page++ {
		resp, err := x.api.ListWorkersKVKeys(ctx, x.rc, cloudflare.ListWorkersKVsParams{
			NamespaceID: x.ns,
			Prefix:      cellPrefix,
			Cursor:      cursor,
			Limit:       1000,
		})
		if err != nil {
			return nil, false, err
		}
		for _, k := range resp.Result {
			if p, ok := decodeMeta(k.Metadata); ok {
				out = append(out, p)
			}
		}
		if resp.ResultInfo.Cursor == "" {
			return out, true, nil
		}
		cursor = resp.ResultInfo.Cursor
	}
	return out, false, nil
}

// CellSizes counts keys per cell for the first pages of the index.
func (x *Index) CellSizes(ctx context.Context) (map[string]int, error) {
	sizes := map[string]int{}
	params := cloudflare.ListWorkersKVsParams{
		NamespaceID: x.ns,
		Prefix:      cellPrefix,
		Limit:       2000, // EXPECT kvlimits
	}
	for range 5 {
		resp, err := x.api.ListWorkersKVKeys(ctx, x.rc, params)
		if err != nil {
			return nil, err
		}
		for _, k := range resp.Result {
			rest := strings.TrimPrefix(k.Name, cellPrefix)
			if gh, _, ok := strings.Cut(rest, ":"); ok {
				sizes[gh]++
			}
		}
		if resp.ResultInfo.Cursor == "" {
			break
		}
		params.Cursor = resp.ResultInfo.Cursor
	}
	return sizes, nil
}

// CountOnline counts available drivers under a region prefix such as "9q8".
func (x *Index) CountOnline(ctx context.Context, region string) (int, error) {
	n, cursor := 0, ""
	for {
		page, err := x.st.List(ctx, cellPrefix+region, cursor, 1000) // EXPECT kvlist
		if err != nil {
			return 0, err
		}
		if len(page.Keys) == 0 {
			break
		}
		n += len(page.Keys)
		if page.Cursor == "" {
			break
		}
		cursor = page.Cursor
	}
	return n, nil
}

// Purge removes every index entry in cell gh, for example after a geofence
// closure. At most fifty pages are processed per call.
func (x *Index) Purge(ctx context.Context, gh string) (int, error) {
	resp, err := x.api.ListWorkersKVKeys(ctx, x.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: x.ns,
		Prefix:      cellPrefix + gh + ":",
		Limit:       1000,
	})
	removed := 0
	for pages := 0; err == nil && pages < 50; pages++ {
		names := make([]string, 0, len(resp.Result))
		for _, k := range resp.Result {
			names = append(names, k.Name)
		}
		if err := x.st.DeleteMany(ctx, names); err != nil {
			return removed, err
		}
		removed += len(names)
		if resp.ResultInfo.Cursor == "" {
			return removed, nil
		}
		resp, err = x.api.ListWorkersKVKeys(ctx, x.rc, cloudflare.ListWorkersKVsParams{ // EXPECT kvlist
			NamespaceID: x.ns,
			Cursor:      resp.ResultInfo.Cursor,
			Limit:       1000,
		})
	}
	return removed, err
}

// Profile is the long-lived vehicle record stored per driver.
type Profile struct {
	Driver  string `json:"driver"`
	Vehicle string `json:"vehicle"`
	Seats   int    `json:"seats"`
	EV      bool   `json:"ev"`
}

// Vehicle returns the driver's vehicle profile.
func (x *Index) Vehicle(ctx context.Context, driverID string) (Profile, error) {
	var p Profile
	raw, _ := x.api.GetWorkersKV(ctx, x.rc, cloudflare.GetWorkersKVParams{NamespaceID: x.ns, Key: "vehicle:" + driverID}) // EXPECT kvnull
	if err := json.Unmarshal(raw, &p); err != nil {
		return p, fmt.Errorf("vehicle %s: %w", driverID, err)
	}
	return p, nil
}

// MarkBusy hides a driver from matching for a short hold after an offer was
// sent to them.
func (x *Index) MarkBusy(ctx context.Context, driverID string) error {
	_, err := x.api.WriteWorkersKVEntries(ctx, x.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: x.ns,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:        "busy:" + driverID,
			Value:      "1",
			Expiration: int(time.Now().Add(30 * time.Second).Unix()), // EXPECT kvttl
		}},
	})
	return err
}
