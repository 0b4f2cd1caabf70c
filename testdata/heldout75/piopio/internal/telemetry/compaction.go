package telemetry

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"time"

	"github.com/piopio/greenhouse/internal/kvrest"
	"github.com/piopio/greenhouse/internal/stream"
)

const (
	dailyRetention = 400 * 24 * time.Hour
	sweepPages     = 20
)

// Compactor folds hourly rollups into daily ones and removes what is done.
type Compactor struct {
	NS  *kvrest.Namespace
	Log *slog.Logger
}

// DailyRollup is the compacted form of 24 hourly rollups of one series.
type DailyRollup struct {
	Series string    `json:"series"`
	Day    time.Time `json:"day"`
	Hours  int       `json:"hours"`
	Min    float64   `json:"min"`
	Max    float64   `json:"max"`
	Mean   float64   `json:"mean"`
}

// CompactDay writes one daily rollup per series of gh for day and deletes
// the hourly rollups it consumed.
func (c *Compactor) CompactDay(ctx context.Context, gh string, day time.Time) error {
	keys, err := kvrest.AllKeys(ctx, c.NS, "rollup:"+gh+":")
	if err != nil {
		return err
	}
	stamp := day.UTC().Format("20060102")
	daily := map[string]*DailyRollup{}
	var consumed []string
	for _, k := range keys {
		if !strings.HasPrefix(k.Name[strings.LastIndexByte(k.Name, ':')+1:], stamp) {
			continue
		}
		raw, err := c.NS.Get(ctx, k.Name) // EXPECT kvlist
		if err != nil {
			return err
		}
		var ru Rollup
		if err := json.Unmarshal(raw, &ru); err != nil {
			c.Log.Warn("skipping corrupt rollup", "key", k.Name, "err", err)
			continue
		}
		series := ru.Greenhouse + ":" + ru.Sensor + ":" + ru.Metric
		d, ok := daily[series]
		if !ok {
			d = &DailyRollup{Series: series, Day: day.UTC().Truncate(24 * time.Hour), Min: math.Inf(1), Max: math.Inf(-1)}
			daily[series] = d
		}
		d.Hours++
		d.Min, d.Max = min(d.Min, ru.Min), max(d.Max, ru.Max)
		d.Mean += (ru.Mean() - d.Mean) / float64(d.Hours)
		consumed = append(consumed, k.Name)
	}
	entries := make([]kvrest.Entry, 0, len(daily))
	for series, d := range daily {
		b, _ := json.Marshal(d)
		entries = append(entries, kvrest.Entry{
			Key:   "daily:" + series + ":" + stamp,
			Value: b,
			TTL:   dailyRetention,
			Meta:  map[string]any{"hours": d.Hours, "mean": d.Mean},
		})
	}
	if err := c.NS.PutMany(ctx, entries); err != nil {
		return err
	}
	return c.NS.DeleteMany(ctx, consumed)
}

// DailyMeans reads the means of a greenhouse's daily rollups from the key
// metadata, up to a fixed number of pages.
func (c *Compactor) DailyMeans(ctx context.Context, gh string) (map[string]float64, error) {
	rt := stream.NewRuntime(ctx, 256)
	keys := kvrest.KeySource(rt, c.NS, "daily:"+gh+":", sweepPages)
	means := map[string]float64{}
	stream.To(keys, func(_ context.Context, k kvrest.Key) error {
		if m, ok := k.Metadata["mean"].(float64); ok {
			means[k.Name] = m
		}
		return nil
	})
	return means, rt.Wait()
}

// StaleDevices returns the devices whose last-seen stamp is older than age.
func (c *Compactor) StaleDevices(ctx context.Context, age time.Duration) ([]string, error) {
	page, err := c.NS.ListPage(ctx, "device:seen:", "", 1000) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	var stale []string
	cutoff := time.Now().Add(-age)
	for _, k := range page.Keys {
		if seen, ok := k.Metadata["at"].(string); ok {
			if t, err := time.Parse(time.RFC3339, seen); err == nil && t.Before(cutoff) {
				stale = append(stale, strings.TrimPrefix(k.Name, "device:seen:"))
			}
		}
	}
	return stale, nil
}

// Healthy probes the namespace with the smallest listing possible.
func (c *Compactor) Healthy(ctx context.Context) error {
	_, err := c.NS.ListPage(ctx, "rollup:", "", 5) // EXPECT kvlimits
	return err
}

// LoadPARCalibration stores the lookup table of the 14-bit quantum sensors.
func (c *Compactor) LoadPARCalibration(ctx context.Context, gain float64) error {
	const counts = 1 << 14
	entries := make([]kvrest.Entry, 0, counts)
	for raw := range counts {
		entries = append(entries, kvrest.Entry{
			Key:   fmt.Sprintf("cal:sq520:%05d", raw),
			Value: []byte(fmt.Sprintf("%.2f", gain*float64(raw))),
		})
	}
	return c.NS.PutBatch(ctx, entries) // EXPECT kvlimits
}
