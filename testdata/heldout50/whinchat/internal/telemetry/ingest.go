// Package telemetry stores device samples and the aggregates derived from
// them.
package telemetry

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/whinchat/fleet/internal/catalog"
	"github.com/whinchat/fleet/internal/config"
	"github.com/whinchat/fleet/internal/kvstore"
)

// Sample is one report from a device.
type Sample struct {
	Tenant   string    `json:"tenant"`
	DeviceID string    `json:"device_id"`
	At       time.Time `json:"at"`
	TempC    float64   `json:"temp_c"`
	Battery  float64   `json:"battery"`
	RSSI     int       `json:"rssi"`
	Firmware string    `json:"firmware"`
}

// Live is the sample shown on the live map until the next report replaces it.
type Live struct {
	Sample
	Received time.Time `json:"received"`
}

func (l Live) Key() string        { return l.Tenant + "/" + l.DeviceID }
func (l Live) TTL() time.Duration { return 45 * time.Second }

// latestMeta is attached to the "latest" entry so that listings can show a
// fleet overview without reading values.
type latestMeta struct {
	Battery  float64 `json:"b"`
	Firmware string  `json:"fw"`
	At       int64   `json:"at"`
}

// Rollup aggregates the samples of one device over one window.
type Rollup struct {
	Bucket  string  `json:"bucket"`
	Count   int     `json:"count"`
	SumTemp float64 `json:"sum_temp"`
	MinBatt float64 `json:"min_batt"`
	MaxTemp float64 `json:"max_temp"`
}

func (r *Rollup) add(s Sample) {
	if r.Count == 0 || s.Battery < r.MinBatt {
		r.MinBatt = s.Battery
	}
	if r.Count == 0 || s.TempC > r.MaxTemp {
		r.MaxTemp = s.TempC
	}
	r.Count++
	r.SumTemp += s.TempC
}

// Ingest records samples.
type Ingest struct {
	live    kvstore.Space // tm/live/<tenant>/<device>
	latest  kvstore.Space // tm/latest/<tenant>/<device>
	rollups kvstore.Space // tm/rollup/<tenant>/<device>/<bucket>
	tiles   kvstore.Space // tm/tile/<tenant>/<device>
	window  time.Duration
	liveTTL time.Duration
	Hits    *HitCounter
}

// NewIngest returns an Ingest over the fleet namespace.
func NewIngest(root kvstore.Space, st config.Settings) *Ingest {
	tm := root.Scope(catalog.KindTelemetry.Prefix())
	return &Ingest{
		live:    tm.Scope("live"),
		latest:  tm.Scope("latest"),
		rollups: tm.Scope("rollup"),
		tiles:   tm.Scope("tile"),
		window:  st.RollupWindow,
		liveTTL: st.LiveTTL,
		Hits:    NewHitCounter(tm.Scope("hits")),
	}
}

// Record stores one sample.
func (in *Ingest) Record(ctx context.Context, s Sample) error {
	if err := kvstore.Save(ctx, in.live, Live{Sample: s, Received: time.Now().UTC()}); err != nil { // EXPECT kvttl
		return err
	}
	if err := in.storeLatest(ctx, s); err != nil {
		return err
	}
	if err := in.mergeRollup(ctx, s); err != nil {
		slog.WarnContext(ctx, "rollup merge failed", "device", s.DeviceID, "err", err)
	}
	in.Hits.Add(s.Tenant, s.DeviceID)
	return nil
}

// RecordTile stores the compact map-tile form of a sample.
func (in *Ingest) RecordTile(ctx context.Context, s Sample) error {
	body := []byte(strconv.FormatFloat(s.Battery, 'f', 2, 64) + "," + strconv.Itoa(s.RSSI))
	return in.tiles.Scope(s.Tenant).Put(ctx, s.DeviceID, body, in.liveTTL)
}

func (in *Ingest) storeLatest(ctx context.Context, s Sample) error {
	body, err := json.Marshal(s)
	if err != nil {
		return err
	}
	meta := latestMeta{Battery: s.Battery, Firmware: s.Firmware, At: s.At.Unix()}
	return in.latest.Scope(s.Tenant).PutMeta(ctx, s.DeviceID, body, meta, catalog.KindTelemetry.TTL()) // EXPECT kvttl
}

// mergeRollup folds a sample into its window's aggregate.
func (in *Ingest) mergeRollup(ctx context.Context, s Sample) error {
	bucket := s.At.UTC().Truncate(in.window).Format("20060102T1504")
	dev := in.rollups.Scope(s.Tenant, s.DeviceID)
	var r Rollup
	raw, err := dev.Get(ctx, bucket)
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &r); err != nil {
			return err
		}
	case errors.Is(err, kvstore.ErrNotFound):
		r = Rollup{Bucket: bucket}
	default:
		return err
	}
	r.add(s)
	body, err := json.Marshal(r)
	if err != nil {
		return err
	}
	ttl := max(2*in.window, 10*time.Second) // EXPECT kvttl
	return dev.Put(ctx, bucket, body, ttl)  // EXPECT kvrace
}

// HitCounter counts ingest calls per device in memory and periodically
// writes the running totals for the usage dashboard.
type HitCounter struct {
	mu     sync.Mutex
	totals map[string]int64
	dirty  map[string]bool
	space  kvstore.Space
}

func NewHitCounter(s kvstore.Space) *HitCounter {
	return &HitCounter{totals: map[string]int64{}, dirty: map[string]bool{}, space: s}
}

func (h *HitCounter) Add(tenant, device string) {
	k := tenant + "/" + device
	h.mu.Lock()
	h.totals[k]++
	h.dirty[k] = true
	h.mu.Unlock()
}

// Flush writes the totals that changed since the last flush.
func (h *HitCounter) Flush(ctx context.Context) error {
	h.mu.Lock()
	pending := make(map[string]int64, len(h.dirty))
	for k := range h.dirty {
		pending[k] = h.totals[k]
	}
	clear(h.dirty)
	h.mu.Unlock()

	for _, k := range slices.Sorted(maps.Keys(pending)) {
		if err := h.space.Put(ctx, k, []byte(strconv.FormatInt(pending[k], 10)), 0); err != nil { // EXPECT kvcounter
			return err
		}
	}
	return nil
}
