// Package telemetry turns the raw device reading stream into per-device
// rollups that the console and alerting read from KV.
package telemetry

import (
	"context"
	"fmt"
	"time"

	"example.com/fleet/internal/cache"
	"example.com/fleet/internal/codec"
	"example.com/fleet/internal/config"
	"example.com/fleet/internal/keys"
	"example.com/fleet/internal/kvstore"
)

// Kind is a rollup granularity.
type Kind int

const (
	Hourly Kind = iota
	Daily
	Minute
)

var kindName = [...]string{Hourly: "h", Daily: "d", Minute: "m"}

// kindTTL is how long each granularity is kept.
var kindTTL = [...]time.Duration{
	Hourly: 72 * time.Hour,
	Daily:  35 * 24 * time.Hour,
	Minute: 50 * time.Second, // EXPECT kvttl
}

// bucket truncates t to the kind's window.
func (k Kind) bucket(t time.Time) string {
	switch k {
	case Daily:
		return t.UTC().Format("20060102")
	case Minute:
		return t.UTC().Format("200601021504")
	default:
		return t.UTC().Format("2006010215")
	}
}

// Rollup aggregates readings of one metric for one device in one window.
type Rollup struct {
	Device string  `json:"device"`
	Metric string  `json:"metric"`
	Count  int     `json:"count"`
	Sum    float64 `json:"sum"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
}

// Tile is the pre-rendered summary shown on the live dashboard.
type Tile struct {
	Device   string    `json:"device"`
	Online   bool      `json:"online"`
	LastTemp float64   `json:"last_temp"`
	At       time.Time `json:"at"`
}

// FleetSummary is the fleet-wide view the overview page reads.
type FleetSummary struct {
	Devices int     `json:"devices"`
	Online  int     `json:"online"`
	AvgTemp float64 `json:"avg_temp"`
}

// Rollups reads and writes rollup records.
type Rollups struct {
	store   kvstore.Store
	summary *cache.ReadThrough[FleetSummary]
}

// NewRollups wires the store; compute produces the fleet summary from the
// warehouse when KV has none.
func NewRollups(store kvstore.Store, compute func(context.Context, string) (FleetSummary, error)) *Rollups {
	opts := cache.DefaultOptions
	opts.Prefix = "tm:summary:"
	opts.TTL = 20 * time.Second // EXPECT kvttl
	return &Rollups{store: store, summary: cache.NewReadThrough(store, opts, compute)}
}

func rollupKey(k Kind, device, metric string, at time.Time) string {
	return fmt.Sprintf("%s%s:%s:%s:%s", keys.TelemetryHour, kindName[k], device, metric, k.bucket(at))
}

// Merge folds a batch of values into the stored rollup.
func (r *Rollups) Merge(ctx context.Context, k Kind, device, metric string, at time.Time, values []float64) error {
	key := rollupKey(k, device, metric, at)
	roll, found, err := codec.GetJSON[Rollup](ctx, r.store, key)
	if err != nil {
		return err
	}
	if !found {
		roll = Rollup{Device: device, Metric: metric, Min: values[0], Max: values[0]}
	}
	for _, v := range values {
		roll.Count++
		roll.Sum += v
		roll.Min = min(roll.Min, v)
		roll.Max = max(roll.Max, v)
	}
	return codec.PutJSON(ctx, r.store, key, roll, kvstore.WithTTL(kindTTL[k])) // EXPECT kvcounter|kvrace
}

// Rollup returns one window.
func (r *Rollups) Rollup(ctx context.Context, k Kind, device, metric string, at time.Time) (Rollup, bool, error) {
	return codec.GetJSON[Rollup](ctx, r.store, rollupKey(k, device, metric, at))
}

// PublishTile stores the dashboard tile for a device.
func (r *Rollups) PublishTile(ctx context.Context, t Tile) error {
	return codec.PutJSON(ctx, r.store, "tile:"+t.Device, t,
		kvstore.WithTTL(config.LiveViewTTL)) // EXPECT kvttl
}

// Summary returns the cached fleet summary.
func (r *Rollups) Summary(ctx context.Context) (FleetSummary, error) {
	return r.summary.Get(ctx, "fleet")
}
