package telemetry

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"github.com/piopio/greenhouse/internal/kvrest"
	"github.com/piopio/greenhouse/internal/stream"
)

// RollupConfig tunes the hourly and trend pipelines.
type RollupConfig struct {
	Retention  time.Duration // how long hourly rollups are kept
	Lateness   time.Duration // watermark delay
	TrendSize  time.Duration
	TrendSlide time.Duration
}

// Rollups writes hourly rollups and sliding trends to KV.
type Rollups struct {
	NS  *kvrest.Namespace
	Cfg RollupConfig
	Log *slog.Logger
}

// Run consumes readings until the channel closes or ctx is done.
func (p *Rollups) Run(ctx context.Context, readings <-chan Reading) error {
	rt := stream.NewRuntime(ctx, 512)
	valid := stream.Via(stream.FromChan(rt, readings), stream.Filter(Reading.Valid))
	keyed := stream.Via(valid, stream.KeyBy(Reading.SeriesKey))

	spec := stream.Tumbling(time.Hour, func(r Reading) time.Time { return r.At })
	spec.AllowedLateness = p.Cfg.Lateness
	spec.OnFlush = p.flushHour
	spec.OnLate = p.mergeLate

	windows := stream.Via(keyed, stream.Windowed(spec))
	stream.To(windows, p.markProgress)
	return rt.Wait()
}

func (p *Rollups) flushHour(ctx context.Context, w stream.Window[Reading]) error {
	var ru Rollup
	for _, r := range w.Items {
		ru.Add(r)
	}
	ru.Hour = w.Start.UTC()
	b, err := json.Marshal(ru)
	if err != nil {
		return err
	}
	return p.NS.PutTTL(ctx, RollupKey(ru.Greenhouse, ru.Sensor, ru.Metric, w.Start), b, p.Cfg.Retention)
}

// mergeLate folds a reading whose hour has already been flushed into the
// stored rollup.
func (p *Rollups) mergeLate(ctx context.Context, series string, r Reading) error {
	key := rollupKeyOf(r)
	var ru Rollup
	raw, err := p.NS.Get(ctx, key)
	switch {
	case errors.Is(err, kvrest.ErrNotFound):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(raw, &ru); err != nil {
			p.Log.Warn("corrupt rollup, rebuilding", "key", key, "err", err)
			ru = Rollup{}
		}
	}
	ru.Add(r)
	ru.Late++
	b, err := json.Marshal(ru)
	if err != nil {
		return err
	}
	p.Log.Debug("late reading merged", "series", series, "hour", ru.Hour)
	return p.NS.PutTTL(ctx, key, b, p.Cfg.Retention) // EXPECT kvrace
}

type progress struct {
	Series string    `json:"series"`
	Hour   time.Time `json:"hour"`
	At     time.Time `json:"at"`
}

func (p *Rollups) markProgress(ctx context.Context, w stream.Window[Reading]) error {
	b, _ := json.Marshal(progress{Series: w.Key, Hour: w.Start, At: time.Now().UTC()})
	if err := p.NS.PutTTL(ctx, "rollup:last:"+w.Key, b, 48*time.Hour); err != nil {
		return err
	}
	return p.NS.Put(ctx, "rollup:watermark", []byte(w.End.UTC().Format(time.RFC3339)), nil) // EXPECT kvhotkey
}

// RunTrends maintains one trend per series over a sliding window.
func (p *Rollups) RunTrends(ctx context.Context, readings <-chan Reading) error {
	rt := stream.NewRuntime(ctx, 512)
	keyed := stream.Via(
		stream.Via(stream.FromChan(rt, readings), stream.Filter(Reading.Valid)),
		stream.KeyBy(Reading.SeriesKey),
	)
	windows := stream.Via(keyed, stream.Windowed(stream.Sliding(p.Cfg.TrendSize, p.Cfg.TrendSlide,
		func(r Reading) time.Time { return r.At })))
	trends := stream.Via(windows, stream.Map(func(_ context.Context, w stream.Window[Reading]) (Trend, error) {
		return trendOf(w.Key, w.Start, w.End, w.Items), nil
	}))
	sink := kvrest.PutSink[Trend]{
		NS:    p.NS,
		Key:   func(t Trend) string { return "trend:" + t.Series },
		Value: func(t Trend) ([]byte, error) { return json.Marshal(t) },
		TTL: func(Trend) time.Duration {
			return max(2*p.Cfg.TrendSlide, 3*time.Second) // EXPECT kvttl
		},
	}
	stream.To(trends, sink.Sink())
	return rt.Wait()
}

// RunTotals keeps the number of readings accepted per greenhouse, folded from
// one-minute windows.
func (p *Rollups) RunTotals(ctx context.Context, readings <-chan Reading) error {
	rt := stream.NewRuntime(ctx, 512)
	byGH := stream.Via(stream.FromChan(rt, readings), stream.KeyBy(func(r Reading) string { return r.Greenhouse }))
	windows := stream.Via(byGH, stream.Windowed(stream.Tumbling(time.Minute, func(r Reading) time.Time { return r.At })))
	totals := map[string]int{}
	stream.To(windows, func(ctx context.Context, w stream.Window[Reading]) error {
		totals[w.Key] += len(w.Items)
		return p.NS.Put(ctx, "readings:total:"+w.Key, []byte(strconv.Itoa(totals[w.Key])), nil) // EXPECT kvcounter
	})
	return rt.Wait()
}
