// Package ingest consumes the metrics topics from Kafka: exposure events
// from the SDKs, conversions from the product's event pipeline, and
// experiment definitions pushed by the planning tool.
package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go"
	"github.com/segmentio/kafka-go"

	"github.com/redshank-labs/redshank/internal/config"
	"github.com/redshank-labs/redshank/internal/experiments"
	"github.com/redshank-labs/redshank/internal/kvstore"
)

const (
	topicExposures   = "exposures"
	topicConversions = "conversions"
	topicConfig      = "experiment-config"
)

// Ingester owns one consumer-group reader.
type Ingester struct {
	r       *kafka.Reader
	exps    *kvstore.Namespace
	metrics *kvstore.Namespace
	cfg     config.KafkaConfig
	log     *slog.Logger

	pending   []kafka.Message
	totals    map[string]int
	lastFlush time.Time
}

func New(cfg config.KafkaConfig, exps, metrics *kvstore.Namespace, log *slog.Logger) *Ingester {
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers:     cfg.Brokers,
		GroupID:     cfg.GroupID,
		GroupTopics: cfg.Topics,
		MinBytes:    1 << 10,
		MaxBytes:    10 << 20,
		MaxWait:     time.Second,
	})
	return &Ingester{r: r, exps: exps, metrics: metrics, cfg: cfg, log: log, totals: map[string]int{}, lastFlush: time.Now()}
}

// Run reads until ctx is cancelled. Messages are committed after their KV
// work; exposures are committed when their batch is flushed.
func (in *Ingester) Run(ctx context.Context) error {
	defer in.r.Close()
	for {
		m, err := in.r.FetchMessage(ctx)
		if err != nil {
			if errors.Is(err, context.Canceled) {
				return in.flushExposures(context.WithoutCancel(ctx))
			}
			return err
		}

		switch m.Topic {
		case topicExposures:
			in.pending = append(in.pending, m)
			if len(in.pending) >= in.cfg.BatchSize || time.Since(in.lastFlush) >= in.cfg.FlushEvery {
				err = in.flushExposures(ctx)
			}
		case topicConversions:
			err = in.handleConversion(ctx, m)
		case topicConfig:
			err = in.handleConfig(ctx, m)
		default:
			in.log.Warn("message from unexpected topic", "topic", m.Topic)
		}
		if err != nil {
			in.log.Error("handling message", "topic", m.Topic, "offset", m.Offset, "err", err)
			continue
		}

		pos := fmt.Sprintf(`{"topic":%q,"partition":%d,"offset":%d}`, m.Topic, m.Partition, m.Offset)
		if err := in.metrics.Put(ctx, "ingest:position", []byte(pos)); err != nil { // EXPECT kvhotkey
			in.log.Warn("recording position", "err", err)
		}
		if m.Topic != topicExposures {
			if err := in.r.CommitMessages(ctx, m); err != nil {
				return err
			}
		}
	}
}

// flushExposures aggregates the pending exposure batch, publishes the
// running totals and a daily digest, and commits the batch.
func (in *Ingester) flushExposures(ctx context.Context) error {
	if len(in.pending) == 0 {
		return nil
	}
	batch := in.pending
	in.pending = nil
	in.lastFlush = time.Now()

	perDay := map[string]map[string]int{}
	for _, m := range batch {
		var ev experiments.ExposureEvent
		if err := json.Unmarshal(m.Value, &ev); err != nil {
			in.log.Warn("dropping undecodable exposure", "offset", m.Offset, "err", err)
			continue
		}
		in.totals[experiments.ExposureKey(ev.ExperimentID, ev.Variant)]++
		day := ev.ExperimentID + ":" + ev.At.UTC().Format("2006-01-02")
		if perDay[day] == nil {
			perDay[day] = map[string]int{}
		}
		perDay[day][ev.Variant]++
	}

	for key, total := range in.totals {
		if err := in.metrics.Put(ctx, key, []byte(strconv.Itoa(total))); err != nil { // EXPECT kvcounter
			return err
		}
	}

	digests := make([]*cloudflare.WorkersKVPair, 0, len(perDay))
	for day, counts := range perDay {
		b, _ := json.Marshal(counts)
		digests = append(digests, &cloudflare.WorkersKVPair{
			Key:           fmt.Sprintf("digest:%s:%d", day, in.lastFlush.UnixNano()),
			Value:         string(b),
			ExpirationTTL: int(in.cfg.DigestTTL), // EXPECT kvttl
		})
	}
	if err := in.metrics.PutMany(ctx, digests); err != nil {
		return err
	}
	return in.r.CommitMessages(ctx, batch...)
}

// handleConversion records that the unit converted; converted units are
// left out of later exposure analysis for the experiment.
func (in *Ingester) handleConversion(ctx context.Context, m kafka.Message) error {
	var ev experiments.ConversionEvent
	if err := json.Unmarshal(m.Value, &ev); err != nil {
		in.log.Warn("dropping undecodable conversion", "offset", m.Offset, "err", err)
		return nil
	}
	key := experiments.ConvertedKey(ev.ExperimentID)
	converted := map[string]int64{}
	raw, ok, err := in.metrics.Lookup(ctx, key)
	if err != nil {
		return err
	}
	if ok {
		if err := json.Unmarshal(raw, &converted); err != nil {
			return fmt.Errorf("decoding %s: %w", key, err)
		}
	}
	if _, seen := converted[ev.UnitID]; seen {
		return nil
	}
	converted[ev.UnitID] = ev.At.Unix()
	b, err := json.Marshal(converted)
	if err != nil {
		return err
	}
	return in.metrics.Put(ctx, key, b) // EXPECT kvrace
}

// handleConfig stores an experiment definition pushed by the planning
// tool. The definition in the message is authoritative.
func (in *Ingester) handleConfig(ctx context.Context, m kafka.Message) error {
	var e experiments.Experiment
	if err := json.Unmarshal(m.Value, &e); err != nil {
		in.log.Warn("dropping undecodable experiment", "offset", m.Offset, "err", err)
		return nil
	}
	if err := e.Validate(); err != nil {
		in.log.Warn("dropping invalid experiment", "id", e.ID, "err", err)
		return nil
	}
	e.UpdatedAt = m.Time
	if err := in.exps.PutJSON(ctx, experiments.ExperimentKey(e.ID), e, 0); err != nil {
		return err
	}
	return in.ensurePolicy(ctx, e.Tenant)
}

// rolloutPolicy bounds how fast a tenant's rollouts may ramp.
type rolloutPolicy struct {
	MaxStepPercent int           `json:"maxStepPercent"`
	MinStepGap     time.Duration `json:"minStepGap"`
	RequireReview  bool          `json:"requireReview"`
}

func defaultPolicy() rolloutPolicy {
	return rolloutPolicy{MaxStepPercent: 25, MinStepGap: time.Hour, RequireReview: true}
}

// ensurePolicy makes sure every tenant that has experiments has a rollout
// policy the console can edit.
func (in *Ingester) ensurePolicy(ctx context.Context, tenant string) error {
	key := "policy:" + tenant
	raw, err := in.exps.Get(ctx, key) // EXPECT kvnull
	if err != nil {
		return in.exps.PutJSON(ctx, key, defaultPolicy(), 0)
	}
	var p rolloutPolicy
	if err := json.Unmarshal(raw, &p); err != nil {
		return fmt.Errorf("decoding %s: %w", key, err)
	}
	if p.MaxStepPercent <= 0 {
		in.log.Warn("tenant policy allows no rollout steps", "tenant", tenant)
	}
	return nil
}
