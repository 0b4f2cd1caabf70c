// Package telemetry ingests device readings: a pool of workers fed by a
// channel routes each reading by kind, and a batch writer stores them.
package telemetry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/cobalt/internal/config"
	"example.com/cobalt/internal/storage"
	"example.com/cobalt/internal/storage/kvstore"
)

// Reading is one message from a device.
type Reading struct {
	Device  string          `json:"device"`
	Kind    string          `json:"kind"`
	Metric  string          `json:"metric,omitempty"`
	Value   float64         `json:"value,omitempty"`
	At      time.Time       `json:"at"`
	Payload json.RawMessage `json:"payload,omitempty"`
	KeyID   string          `json:"-"`
}

// Validate checks a reading before it is queued.
func (r Reading) Validate() error {
	if r.Device == "" || r.Kind == "" || r.At.IsZero() || (r.Kind == "metric" && r.Metric == "") {
		return errors.New("reading needs a device, a kind, a timestamp and, for metrics, a metric name")
	}
	return nil
}

// Meter records usage per API key.
type Meter interface {
	Add(ctx context.Context, keyID string, n int64) error
}

// Evaluator checks a reading against alert thresholds.
type Evaluator interface {
	Evaluate(ctx context.Context, r Reading) error
}

const presenceWindow = 45 * time.Second

// Pipeline is the ingest pipeline.
type Pipeline struct {
	st       storage.Store
	counts   kvstore.Binding
	batch    *BatchWriter
	meter    Meter
	alerts   Evaluator
	cfg      config.Telemetry
	handlers map[string]func(context.Context, Reading) error
	jobs     chan Reading
	ingested atomic.Int64
	log      *slog.Logger
	wg       sync.WaitGroup
}

// NewPipeline wires the pipeline.
func NewPipeline(st storage.Store, counts kvstore.Binding, meter Meter, alerts Evaluator, cfg config.Telemetry, log *slog.Logger) *Pipeline {
	p := &Pipeline{
		st: st, counts: counts, meter: meter, alerts: alerts, cfg: cfg, log: log,
		jobs:  make(chan Reading, cfg.QueueDepth),
		batch: NewBatchWriter(st, cfg.BatchSize, cfg.FlushInterval, log),
	}
	p.batch.OnFlush(p.countHourly)
	p.handlers = map[string]func(context.Context, Reading) error{
		"metric":    p.handleMetric,
		"event":     p.handleEvent,
		"heartbeat": p.handleHeartbeat,
	}
	return p
}

// Start launches the workers, the batch writer and the stats reporter.
func (p *Pipeline) Start(ctx context.Context) {
	go p.batch.Run(ctx)
	for i := range p.cfg.Workers {
		p.wg.Add(1)
		go p.worker(ctx, i)
	}
	go p.reportStats(ctx, time.Minute)
}

// Stop closes the queue and waits for the workers.
func (p *Pipeline) Stop() {
	close(p.jobs)
	p.wg.Wait()
}

// Submit validates and queues readings.
func (p *Pipeline) Submit(ctx context.Context, keyID string, rs []Reading) error {
	for i := range rs {
		if err := rs[i].Validate(); err != nil {
			return fmt.Errorf("reading %d: %w", i, err)
		}
	}
	for _, r := range rs {
		r.KeyID = keyID
		select {
		case p.jobs <- r:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func (p *Pipeline) worker(ctx context.Context, n int) {
	defer p.wg.Done()
	log := p.log.With("worker", n)
	for r := range p.jobs {
		h, ok := p.handlers[r.Kind]
		if !ok {
			log.WarnContext(ctx, "dropping reading of unknown kind", "kind", r.Kind)
			continue
		}
		if err := h(ctx, r); err != nil {
			log.WarnContext(ctx, "reading failed", "device", r.Device, "kind", r.Kind, "err", err)
			continue
		}
		p.ingested.Add(1)
		if r.KeyID != "" {
			if err := p.meter.Add(ctx, r.KeyID, 1); err != nil {
				log.WarnContext(ctx, "metering failed", "key", r.KeyID, "err", err)
			}
		}
	}
}

func (p *Pipeline) handleMetric(ctx context.Context, r Reading) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	key := fmt.Sprintf("reading:%s:%s:%d", r.Device, r.Metric, r.At.UnixNano())
	if err := p.batch.Add(ctx, Record{Key: key, Value: b, TTL: p.cfg.Retention(), Device: r.Device}); err != nil {
		return err
	}
	return p.alerts.Evaluate(ctx, r)
}

func (p *Pipeline) handleEvent(ctx context.Context, r Reading) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	key := fmt.Sprintf("event:%s:%d", r.Device, r.At.UnixNano())
	if err := p.st.Put(ctx, key, b, storage.PutOptions{TTL: p.cfg.Retention()}); err != nil {
		return err
	}
	return p.st.Put(ctx, "telemetry:last_event", b, storage.PutOptions{}) // EXPECT kvhotkey
}

// handleHeartbeat marks the device online; the mark lapses when heartbeats
// stop.
func (p *Pipeline) handleHeartbeat(ctx context.Context, r Reading) error {
	return p.st.Put(ctx, "online:"+r.Device, []byte(r.At.UTC().Format(time.RFC3339)), storage.PutOptions{
		ExpireAt: time.Now().Add(presenceWindow), // EXPECT kvttl
	})
}

// countHourly adds the number of readings written per device to that
// device's hourly tally.
func (p *Pipeline) countHourly(ctx context.Context, batch []Record) {
	perDevice := map[string]int{}
	for _, r := range batch {
		perDevice[r.Device]++
	}
	hour := time.Now().UTC().Format("2006010215")
	for dev, n := range perDevice {
		if err := p.bumpHourly(ctx, "readings:"+dev+":"+hour, n); err != nil {
			p.log.WarnContext(ctx, "hourly tally failed", "device", dev, "err", err)
		}
	}
}

func (p *Pipeline) bumpHourly(ctx context.Context, key string, n int) error {
	cur := 0
	res, err := p.counts.Client.KV.Namespaces.Values.Get(ctx, p.counts.NamespaceID, key, p.counts.GetParams())
	switch {
	case err == nil:
		body, rerr := kvstore.ReadBody(res)
		if rerr != nil {
			return rerr
		}
		if cur, err = strconv.Atoi(string(body)); err != nil {
			return fmt.Errorf("tally %s: %w", key, err)
		}
	case !kvstore.IsNotFound(err):
		return err
	}
	_, err = p.counts.Client.KV.Namespaces.Values.Update(ctx, p.counts.NamespaceID, key, kv.NamespaceValueUpdateParams{ // EXPECT kvcounter
		AccountID:     cloudflare.F(p.counts.AccountID),
		Value:         cloudflare.F(strconv.Itoa(cur + n)),
		ExpirationTTL: cloudflare.F(float64(48 * 60 * 60)),
	})
	return err
}

// reportStats publishes this instance's running total once per interval.
func (p *Pipeline) reportStats(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	var total int64
	key := "ingest:count:" + p.cfg.InstanceID
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			total += p.ingested.Swap(0)
			err := p.st.Put(ctx, key, []byte(strconv.FormatInt(total, 10)), storage.PutOptions{TTL: 24 * time.Hour}) // DEBATABLE kvcounter
			if err != nil {
				p.log.WarnContext(ctx, "stats write failed", "err", err)
			}
		}
	}
}
