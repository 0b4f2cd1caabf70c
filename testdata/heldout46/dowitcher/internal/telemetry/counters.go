// Package telemetry aggregates device reports in memory and publishes
// per-device counters and snapshots to KV, where the dashboard reads them.
package telemetry

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"dowitcher/internal/kvstore"
)

// Metric names a per-device counter.
type Metric uint8

const (
	MetricMessages Metric = iota
	MetricReboots
	MetricOTAFailures
	MetricBytesUp
)

var metricNames = [...]string{"messages", "reboots", "ota_failures", "bytes_up"}

func (m Metric) name() string {
	if int(m) < len(metricNames) {
		return metricNames[m]
	}
	return "m" + strconv.Itoa(int(m))
}

// Report is what a device sends on each check-in.
type Report struct {
	Fleet, Serial string
	Firmware      string
	Battery       float64
	RSSI          int
	Messages      uint64
	BytesUp       uint64
	At            time.Time
}

type counterKey struct {
	fleet, serial string
	metric        Metric
}

// Sink buffers reports between flushes.
type Sink struct {
	kv    *kvstore.Store
	log   *slog.Logger
	every time.Duration

	mu      sync.Mutex
	pending map[counterKey]uint64
	last    map[string]Report
	totals  map[string]uint64
	hwm     time.Time
}

// NewSink returns a sink that flushes every interval.
func NewSink(kv *kvstore.Store, log *slog.Logger, every time.Duration) *Sink {
	return &Sink{
		kv:      kv,
		log:     log,
		every:   every,
		pending: map[counterKey]uint64{},
		last:    map[string]Report{},
		totals:  map[string]uint64{},
	}
}

// Observe records one report.
func (s *Sink) Observe(r Report) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending[counterKey{r.Fleet, r.Serial, MetricMessages}] += r.Messages
	s.pending[counterKey{r.Fleet, r.Serial, MetricBytesUp}] += r.BytesUp
	s.last[kvstore.DeviceKey(r.Fleet, r.Serial, "")] = r
	s.totals[r.Fleet] += r.Messages
	if r.At.After(s.hwm) {
		s.hwm = r.At
	}
}

func counterKeyString(k counterKey) string {
	return kvstore.DeviceKey(k.fleet, k.serial, "ctr/"+k.metric.name())
}

// Run flushes on every tick until ctx ends, then flushes once more.
func (s *Sink) Run(ctx context.Context) error {
	t := time.NewTicker(s.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			flushCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			return errors.Join(ctx.Err(), s.flush(flushCtx))
		case <-t.C:
			if err := s.flush(ctx); err != nil {
				s.log.Warn("telemetry flush", "err", err)
			}
		}
	}
}

func (s *Sink) swap() (map[counterKey]uint64, map[string]Report, map[string]uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pending, last := s.pending, s.last
	s.pending, s.last = map[counterKey]uint64{}, map[string]Report{}
	totals := make(map[string]uint64, len(s.totals))
	for k, v := range s.totals {
		totals[k] = v
	}
	return pending, last, totals
}

func (s *Sink) flush(ctx context.Context) error {
	pending, last, totals := s.swap()
	var errs []error

	for k, delta := range pending {
		key := counterKeyString(k)
		raw, found, err := s.kv.Lookup(ctx, key)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		var cur uint64
		if found && len(raw) == 8 {
			cur = binary.BigEndian.Uint64(raw)
		}
		buf := binary.BigEndian.AppendUint64(nil, cur+delta)
		if err := s.kv.Put(ctx, key, buf); err != nil { // EXPECT kvcounter|kvrace
			errs = append(errs, err)
		}
	}

	// Snapshots: the most recent report of each device, as fixed-width
	// binary so the edge can decode it without JSON.
	var snaps kvstore.Batch
	for prefix, r := range last {
		buf := make([]byte, 0, 32)
		buf = binary.BigEndian.AppendUint64(buf, uint64(r.At.Unix()))
		buf = binary.BigEndian.AppendUint32(buf, uint32(r.Battery*1000))
		buf = binary.BigEndian.AppendUint32(buf, uint32(int32(r.RSSI)))
		buf = append(buf, r.Firmware...)
		snaps = snaps.Add(prefix+"/snapshot", buf, 48*time.Hour)
	}
	if err := snaps.Flush(ctx, s.kv); err != nil {
		errs = append(errs, err)
	}

	day := time.Now().UTC().Format("2006-01-02")
	for fleet, n := range totals {
		key := kvstore.Join("fleet", fleet, "messages", day)
		if err := s.kv.PutTTL(ctx, key, []byte(strconv.FormatUint(n, 10)), 35*24*time.Hour); err != nil { // EXPECT kvcounter
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// CountReboot is called when a device reports a cold boot.
func (s *Sink) CountReboot(ctx context.Context, fleet, serial string) (int, error) {
	key := counterKeyString(counterKey{fleet, serial, MetricReboots})
	raw, _ := s.kv.Get(ctx, key) // EXPECT kvnull
	n, _ := strconv.Atoi(string(raw))
	n++
	if err := s.kv.Put(ctx, key, []byte(strconv.Itoa(n))); err != nil { // EXPECT kvcounter|kvrace
		return 0, err
	}
	return n, nil
}

// RunWatermark publishes the ingest high-water mark so that the nightly
// report knows which reports have been flushed.
func (s *Sink) RunWatermark(ctx context.Context) {
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.mu.Lock()
			hwm := s.hwm
			s.mu.Unlock()
			if hwm.IsZero() {
				continue
			}
			v := strconv.FormatInt(hwm.Unix(), 10)
			if err := s.kv.Put(ctx, "ingest/watermark", []byte(v)); err != nil { // EXPECT kvhotkey
				s.log.Debug("watermark", "err", fmt.Sprint(err))
			}
		}
	}
}
