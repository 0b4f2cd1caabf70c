package stream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/boxoffice/oystercatcher/internal/kvstore"
)

// GateBatcher consumes the high-volume turnstile feed in batches: one bulk
// write per batch, one commit per batch.
type GateBatcher struct {
	Reader *kafka.Reader
	KV     *kvstore.Store
	Size   int
	Linger time.Duration

	totals map[string]int
}

type gateScan struct {
	TicketID string    `json:"ticket_id"`
	Gate     string    `json:"gate"`
	At       time.Time `json:"at"`
}

func (b *GateBatcher) Run(ctx context.Context) error {
	b.totals = make(map[string]int)
	for ctx.Err() == nil {
		batch := make([]kafka.Message, 0, b.Size)
		fetchCtx, cancel := context.WithTimeout(ctx, b.Linger)
		for len(batch) < b.Size {
			m, err := b.Reader.FetchMessage(fetchCtx)
			if err != nil {
				if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
					slog.ErrorContext(ctx, "gate feed fetch", "err", err)
				}
				break
			}
			batch = append(batch, m)
		}
		cancel()
		if len(batch) == 0 {
			continue
		}
		if err := b.flush(ctx, batch); err != nil {
			return fmt.Errorf("gate batch: %w", err)
		}
		if err := b.Reader.CommitMessages(ctx, batch...); err != nil {
			return fmt.Errorf("gate commit: %w", err)
		}
	}
	return nil
}

func (b *GateBatcher) flush(ctx context.Context, batch []kafka.Message) error {
	perGate := make(map[string]int)
	entries := make([]kvstore.Entry, 0, len(batch))
	for _, m := range batch {
		var s gateScan
		if err := json.Unmarshal(m.Value, &s); err != nil {
			continue
		}
		perGate[s.Gate]++
		entries = append(entries, kvstore.Entry{Key: "scanlog:" + s.TicketID, Value: m.Value, TTL: 48 * time.Hour})
		offset := []byte(fmt.Sprintf("%d/%d", m.Partition, m.Offset))
		if err := b.KV.Put(ctx, "kafka:checkpoint:gate-scans", offset, 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	if err := b.KV.BulkPut(ctx, entries); err != nil {
		return err
	}
	for gate, n := range perGate {
		b.totals[gate] += n
		if err := b.KV.Put(ctx, "gate:"+gate+":scan_count", []byte(strconv.Itoa(b.totals[gate])), 0); err != nil { // EXPECT kvcounter
			return err
		}
	}
	return nil
}

func NewGateReader(brokers []string, groupID string) *kafka.Reader {
	return kafka.NewReader(kafka.ReaderConfig{
		Brokers:  brokers,
		GroupID:  groupID,
		Topic:    "venue.gate-scans",
		MinBytes: 10 << 10,
		MaxBytes: 10 << 20,
		MaxWait:  time.Second,
	})
}
