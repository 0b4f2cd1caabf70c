// Package metering aggregates per-request usage events in memory and flushes
// them in batches, on size or on a timer.
package metering

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"example.com/tollgate/internal/authority"
	"example.com/tollgate/internal/domain"
	"example.com/tollgate/internal/storage"
	"example.com/tollgate/internal/storage/typed"
)

// Event is one metered API call.
type Event struct {
	Tenant domain.TenantID
	Bytes  int64
	At     time.Time
}

// Period returns the billing-period label for t.
func Period(t time.Time) string { return t.UTC().Format("2006-01") }

type usageKey string

func keyFor(t domain.TenantID, period string) usageKey {
	return usageKey(string(t) + ":" + period)
}

// Sink receives aggregated deltas.
type Sink interface {
	Flush(ctx context.Context, deltas map[usageKey]domain.UsageRecord) error
}

// Config tunes batching.
type Config struct {
	FlushEvery   time.Duration
	FlushSize    int
	QueueSize    int
	PendingTTLMs int64
}

// Recorder is a batch writer fed by a channel.
type Recorder struct {
	st      storage.Store
	sink    Sink
	cfg     Config
	log     *slog.Logger
	in      chan Event
	buf     map[usageKey]domain.UsageRecord
	dropped atomic.Int64
}

// NewRecorder wires a recorder.
func NewRecorder(st storage.Store, sink Sink, cfg Config, log *slog.Logger) *Recorder {
	return &Recorder{
		st: st, sink: sink, cfg: cfg, log: log,
		in:  make(chan Event, cfg.QueueSize),
		buf: map[usageKey]domain.UsageRecord{},
	}
}

// Observe queues ev without blocking the request path and stamps the time of
// the most recent traffic for the operations dashboard.
func (r *Recorder) Observe(ctx context.Context, ev Event) error {
	select {
	case r.in <- ev:
	default:
		r.dropped.Add(1)
	}
	stamp := []byte(ev.At.UTC().Format(time.RFC3339Nano))
	return r.st.Put(ctx, "metering:last-event-at", stamp, storage.PutOptions{}) // EXPECT kvhotkey
}

// Run drains the queue until ctx is done, then flushes what is left.
func (r *Recorder) Run(ctx context.Context) error {
	t := time.NewTicker(r.cfg.FlushEvery)
	defer t.Stop()
	for {
		select {
		case ev := <-r.in:
			r.add(ev)
			if len(r.buf) >= r.cfg.FlushSize {
				r.flush(ctx)
			}
		case <-t.C:
			r.flush(ctx)
		case <-ctx.Done():
			return r.stash(context.WithoutCancel(ctx))
		}
	}
}

func (r *Recorder) add(ev Event) {
	period := Period(ev.At)
	k := keyFor(ev.Tenant, period)
	rec := r.buf[k]
	rec.TenantID, rec.Period = ev.Tenant, period
	rec.Calls++
	rec.Bytes += ev.Bytes
	r.buf[k] = rec
}

func (r *Recorder) flush(ctx context.Context) {
	if len(r.buf) == 0 {
		return
	}
	pending := r.buf
	r.buf = map[usageKey]domain.UsageRecord{}
	if err := r.sink.Flush(ctx, pending); err != nil {
		r.log.ErrorContext(ctx, "usage flush failed", "tenants", len(pending), "err", err)
	}
}

// stash parks unflushed deltas so the next instance can pick them up.
func (r *Recorder) stash(ctx context.Context) error {
	if len(r.buf) == 0 {
		return nil
	}
	raw, err := json.Marshal(r.buf)
	if err != nil {
		return err
	}
	host, _ := os.Hostname()
	return r.st.Put(ctx, "metering:pending:"+host, raw, storage.PutOptions{
		ExpirationTTL: r.cfg.PendingTTLMs / 1000, // DEBATABLE kvttl
	})
}

// KVSink adds deltas onto usage records kept in the key-value store.
type KVSink struct {
	usage *typed.Store[usageKey, domain.UsageRecord]
}

// NewKVSink returns a sink writing "usage:<tenant>:<period>" records.
func NewKVSink(st storage.Store) *KVSink {
	return &KVSink{usage: typed.New[usageKey, domain.UsageRecord](st, "usage:")}
}

func (s *KVSink) Flush(ctx context.Context, deltas map[usageKey]domain.UsageRecord) error {
	for k, d := range deltas {
		cur, err := s.usage.Get(ctx, k)
		if err != nil && !storage.IsNotFound(err) {
			return err
		}
		cur.TenantID, cur.Period = d.TenantID, d.Period
		cur.Calls += d.Calls
		cur.Bytes += d.Bytes
		if err := s.usage.Put(ctx, k, cur, 40*24*time.Hour); err != nil { // EXPECT kvcounter
			return err
		}
	}
	return nil
}

// D1Sink increments totals in the database and publishes a read-only
// snapshot of each new total for edge reads.
type D1Sink struct {
	db  *authority.DB
	st  storage.Store
	ttl time.Duration
}

// NewD1Sink wires a database-backed sink.
func NewD1Sink(db *authority.DB, st storage.Store, snapshotTTL time.Duration) *D1Sink {
	return &D1Sink{db: db, st: st, ttl: snapshotTTL}
}

func (s *D1Sink) Flush(ctx context.Context, deltas map[usageKey]domain.UsageRecord) error {
	for k, d := range deltas {
		total, err := s.db.AddUsage(ctx, d.TenantID, d.Period, d.Calls)
		if err != nil {
			return err
		}
		if err := storage.PutFor(ctx, s.st, "usage-snapshot:"+string(k), []byte(strconv.FormatInt(total, 10)), s.ttl); err != nil {
			return err
		}
	}
	return nil
}
