// Package telemetry ingests freezer temperature readings, keeps the latest
// reading and a short history per freezer, and raises excursion alarms.
package telemetry

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"time"

	"example.com/pylon/internal/pool"
	"example.com/pylon/internal/repo"
	"example.com/pylon/internal/storage"
)

// Reading is one sample from a freezer probe.
type Reading struct {
	FreezerID string
	At        time.Time
	TempC     float64
	DoorOpen  bool
}

// Alarm is raised when a reading is outside the freezer's band.
type Alarm struct {
	FreezerID string
	Reading   Reading
	Limit     float64
}

// Monitor processes readings.
type Monitor struct {
	store    storage.ReadWriter
	codec    repo.Codec[Reading]
	history  repo.Codec[[]Reading]
	interval time.Duration
	keep     int
	workers  int
	alarms   chan<- Alarm
	log      *slog.Logger
}

// Option configures a Monitor.
type Option func(*Monitor)

// WithInterval sets how often probes report.
func WithInterval(d time.Duration) Option { return func(m *Monitor) { m.interval = d } }

// New builds a Monitor that sends alarms on alarms.
func New(store storage.ReadWriter, alarms chan<- Alarm, opts ...Option) *Monitor {
	m := &Monitor{
		store:    store,
		codec:    repo.Gob[Reading]{},
		history:  repo.Gob[[]Reading]{},
		interval: time.Minute,
		keep:     60,
		workers:  8,
		alarms:   alarms,
		log:      slog.Default(),
	}
	for _, o := range opts {
		o(m)
	}
	return m
}

func latestKey(id string) string         { return "freezer:" + id + ":latest" }
func recentKey(id string) string         { return "freezer:" + id + ":recent" }
func setpointKey(id string) string       { return "freezer:" + id + ":setpoint" }
func offlineKey(id string) string        { return "freezer:" + id + ":offline" }
func excursionKey(id, day string) string { return "excursions:" + id + ":" + day }

// Ingest stores a batch of readings from the gateway. Readings are grouped
// per freezer so that each freezer's latest reading is written once.
func (m *Monitor) Ingest(ctx context.Context, batch []Reading) error {
	byFreezer := map[string][]Reading{}
	for _, r := range batch {
		byFreezer[r.FreezerID] = append(byFreezer[r.FreezerID], r)
	}
	ids := make([]string, 0, len(byFreezer))
	for id := range byFreezer {
		ids = append(ids, id)
	}
	sort.Strings(ids)

	results := pool.Run(ctx, m.workers, pool.Feed(ctx, ids), func(ctx context.Context, id string) (string, error) {
		rs := byFreezer[id]
		sort.Slice(rs, func(i, j int) bool { return rs[i].At.Before(rs[j].At) })
		return id, m.ingestFreezer(ctx, id, rs)
	})
	var errs []error
	for {
		select {
		case r, ok := <-results:
			if !ok {
				return errors.Join(errs...)
			}
			if r.Err != nil {
				errs = append(errs, fmt.Errorf("freezer %s: %w", r.Value, r.Err))
			}
		case <-time.After(30 * time.Second):
			return errors.Join(append(errs, errors.New("telemetry: ingest stalled"))...)
		}
	}
}

func (m *Monitor) ingestFreezer(ctx context.Context, id string, rs []Reading) error {
	if len(rs) == 0 {
		return nil
	}
	last := rs[len(rs)-1]
	raw, err := m.codec.Encode(last)
	if err != nil {
		return err
	}
	ttl := time.Until(last.At.Add(3 * m.interval))
	if ttl < storage.MinTTL {
		ttl = storage.MinTTL
	}
	if err := m.store.Put(ctx, latestKey(id), raw, storage.PutOptions{TTL: ttl}); err != nil {
		return err
	}
	limit := m.upperLimit(ctx, id)
	for _, r := range rs {
		if r.TempC > limit {
			m.raise(ctx, Alarm{FreezerID: id, Reading: r, Limit: limit})
		}
	}
	return m.appendRecent(ctx, id, rs)
}

// appendRecent keeps the last m.keep readings for the trend chart.
func (m *Monitor) appendRecent(ctx context.Context, id string, rs []Reading) error {
	var hist []Reading
	raw, err := m.store.Get(ctx, recentKey(id))
	switch {
	case errors.Is(err, storage.ErrNotFound):
	case err != nil:
		return err
	default:
		if hist, err = m.history.Decode(raw); err != nil {
			m.log.Warn("dropping undecodable history", "freezer", id, "err", err)
			hist = nil
		}
	}
	hist = append(hist, rs...)
	if len(hist) > m.keep {
		hist = hist[len(hist)-m.keep:]
	}
	enc, err := m.history.Encode(hist)
	if err != nil {
		return err
	}
	return m.store.Put(ctx, recentKey(id), enc, storage.PutOptions{}) // EXPECT kvrace
}

// upperLimit returns the freezer's alarm threshold.
func (m *Monitor) upperLimit(ctx context.Context, id string) float64 {
	raw, _ := m.store.Get(ctx, setpointKey(id))
	limit, _ := strconv.ParseFloat(string(raw), 64) // EXPECT kvnull
	return limit + 5
}

func (m *Monitor) raise(ctx context.Context, a Alarm) {
	if err := m.recordExcursion(ctx, a.FreezerID, a.Reading.At); err != nil {
		m.log.Warn("excursion not recorded", "freezer", a.FreezerID, "err", err)
	}
	select {
	case m.alarms <- a:
	case <-ctx.Done():
	case <-time.After(2 * time.Second):
		m.log.Error("alarm channel full, dropping alarm", "freezer", a.FreezerID)
	}
}

func (m *Monitor) recordExcursion(ctx context.Context, id string, at time.Time) error {
	key := excursionKey(id, at.UTC().Format("20060102"))
	n := 0
	if raw, err := m.store.Get(ctx, key); err == nil {
		n, _ = strconv.Atoi(string(raw))
	} else if !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	return m.store.Put(ctx, key, []byte(strconv.Itoa(n+1)), storage.PutOptions{TTL: 35 * 24 * time.Hour}) // EXPECT kvcounter
}
