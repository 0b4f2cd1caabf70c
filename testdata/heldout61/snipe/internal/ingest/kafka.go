// Package ingest consumes the telemetry, alert and lifecycle topics that the
// edge publishes to Kafka.
package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/fleetwire/snipe/internal/config"
	"github.com/fleetwire/snipe/internal/fleet"
	"github.com/fleetwire/snipe/internal/kvstore"
)

const (
	TopicTelemetry     = "fleet.telemetry.v1"
	TopicDeprovisioned = "fleet.device.deprovisioned.v1"
	TopicAlerts        = "fleet.alerts.raw.v1"
)

const watermarkKey = "ingest:kafka:watermark"
const alertsLastSeenKey = "alerts:last-seen"

// Usage accumulates telemetry points per tenant between rollups.
type Usage struct {
	mu      sync.Mutex
	pending map[string]int
}

func NewUsage() *Usage { return &Usage{pending: map[string]int{}} }

func (u *Usage) Add(tenant string, n int) {
	u.mu.Lock()
	u.pending[tenant] += n
	u.mu.Unlock()
}

// Drain returns and resets the accumulated counts.
func (u *Usage) Drain() map[string]int {
	u.mu.Lock()
	defer u.mu.Unlock()
	out := u.pending
	u.pending = map[string]int{}
	return out
}

type telemetryBatch struct {
	Device string `json:"device"`
	Tenant string `json:"tenant"`
	Points []struct {
		Metric string  `json:"metric"`
		Value  float64 `json:"value"`
		TsMs   int64   `json:"ts_ms"`
	} `json:"points"`
}

type watermark struct {
	Topic     string    `json:"topic"`
	Partition int       `json:"partition"`
	Offset    int64     `json:"offset"`
	At        time.Time `json:"at"`
}

// Consumer runs the reader loops.
type Consumer struct {
	store *kvstore.Store
	cfg   config.Kafka
	tel   config.Telemetry
	usage *Usage
	log   *slog.Logger

	day   string
	daily map[string]int
}

func NewConsumer(store *kvstore.Store, cfg config.Kafka, tel config.Telemetry, usage *Usage, log *slog.Logger) *Consumer {
	return &Consumer{store: store, cfg: cfg, tel: tel, usage: usage, log: log, daily: map[string]int{}}
}

// Run consumes the telemetry and lifecycle topics until ctx ends.
func (c *Consumer) Run(ctx context.Context) error {
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers:     c.cfg.Brokers,
		GroupID:     c.cfg.GroupID,
		GroupTopics: []string{TopicTelemetry, TopicDeprovisioned},
		MaxWait:     c.cfg.MaxWait,
	})
	defer r.Close()
	for {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		if err := c.dispatch(ctx, m); err != nil {
			c.log.ErrorContext(ctx, "message failed", "topic", m.Topic, "offset", m.Offset, "err", err)
		}
		mark, _ := json.Marshal(watermark{Topic: m.Topic, Partition: m.Partition, Offset: m.Offset, At: time.Now().UTC()})
		if err := c.store.Put(ctx, watermarkKey, mark, 0); err != nil { // EXPECT kvhotkey
			c.log.WarnContext(ctx, "watermark not stored", "err", err)
		}
		if err := r.CommitMessages(ctx, m); err != nil {
			return err
		}
	}
}

func (c *Consumer) dispatch(ctx context.Context, m kafka.Message) error {
	switch m.Topic {
	case TopicTelemetry:
		return c.handleTelemetry(ctx, m)
	case TopicDeprovisioned:
		return c.handleDeprovisioned(ctx, m)
	default:
		c.log.WarnContext(ctx, "unexpected topic", "topic", m.Topic)
		return nil
	}
}

func (c *Consumer) handleTelemetry(ctx context.Context, m kafka.Message) error {
	var b telemetryBatch
	if err := json.Unmarshal(m.Value, &b); err != nil {
		return err
	}
	if len(b.Points) == 0 {
		return nil
	}
	c.usage.Add(b.Tenant, len(b.Points))

	today := m.Time.UTC().Format("2006-01-02")
	if today != c.day {
		c.day, c.daily = today, map[string]int{}
	}
	c.daily[b.Device] += len(b.Points)
	countKey := "telemetry:count:" + b.Device + ":" + today
	return c.store.Put(ctx, countKey, []byte(strconv.Itoa(c.daily[b.Device])), 36*time.Hour) // EXPECT kvcounter
}

type deprovisioned struct {
	Device string `json:"device"`
}

// handleDeprovisioned removes a device's credentials and targets.
func (c *Consumer) handleDeprovisioned(ctx context.Context, m kafka.Message) error {
	var ev deprovisioned
	if err := json.Unmarshal(m.Value, &ev); err != nil {
		return err
	}
	if ev.Device == "" {
		return errors.New("deprovisioned event without device")
	}
	if err := c.store.Delete(ctx, fleet.DeviceTokenKey(ev.Device)); err != nil { // EXPECT kvsession
		return err
	}
	if err := c.store.Delete(ctx, fleet.TargetKey(ev.Device)); err != nil {
		return err
	}
	return c.store.Delete(ctx, fleet.CommandQueueKey(ev.Device))
}

// RunAlertBatches consumes raw alerts in batches and archives each batch
// with one bulk write.
func (c *Consumer) RunAlertBatches(ctx context.Context) error {
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers: c.cfg.Brokers,
		GroupID: c.cfg.GroupID + "-alerts",
		Topic:   TopicAlerts,
		MaxWait: c.cfg.MaxWait,
	})
	defer r.Close()
	for ctx.Err() == nil {
		batch := make([]kafka.Message, 0, c.cfg.BatchSize)
		fetchCtx, cancel := context.WithTimeout(ctx, c.cfg.MaxWait)
		for len(batch) < c.cfg.BatchSize {
			m, err := r.FetchMessage(fetchCtx)
			if err != nil {
				break
			}
			batch = append(batch, m)
		}
		cancel()
		if len(batch) == 0 {
			continue
		}
		if err := c.handleAlertBatch(ctx, batch); err != nil {
			c.log.ErrorContext(ctx, "alert batch failed", "size", len(batch), "err", err)
			continue
		}
		if err := r.CommitMessages(ctx, batch...); err != nil {
			return err
		}
	}
	return nil
}

func (c *Consumer) handleAlertBatch(ctx context.Context, msgs []kafka.Message) error {
	entries := make([]kvstore.Entry, 0, len(msgs))
	for _, m := range msgs {
		var a fleet.Alert
		if err := json.Unmarshal(m.Value, &a); err != nil {
			c.log.WarnContext(ctx, "bad alert", "offset", m.Offset)
			continue
		}
		entries = append(entries, kvstore.Entry{
			Key:      "alert:raw:" + a.Device + ":" + strconv.FormatInt(a.RaisedAt.UnixNano(), 36),
			Value:    string(m.Value),
			TTL:      c.tel.Retention,
			Metadata: map[string]any{"rule": a.Rule, "severity": a.Severity},
		})
		if err := c.store.Put(ctx, alertsLastSeenKey, []byte(a.RaisedAt.UTC().Format(time.RFC3339)), 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return c.store.BulkPut(ctx, entries)
}
