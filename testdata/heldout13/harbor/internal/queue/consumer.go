// Package queue consumes batches of container position updates published by
// the terminal operating systems.
package queue

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"example.com/harbor/internal/kvio"
	"example.com/harbor/internal/policy"
	"example.com/harbor/internal/storage"
)

// Message is one queued message.
type Message struct {
	ID       string `json:"id"`
	Body     []byte `json:"body"`
	Attempts int    `json:"attempts"`
}

// Batch is what the queue delivers per poll.
type Batch struct {
	Queue    string    `json:"queue"`
	Messages []Message `json:"messages"`
}

// Result tells the queue which messages to acknowledge and which to retry.
type Result struct{ Acked, Retry []string }

// PositionUpdate is the message body.
type PositionUpdate struct {
	Container string    `json:"container"`
	Slot      string    `json:"slot,omitempty"`
	Lat       float64   `json:"lat"`
	Lon       float64   `json:"lon"`
	At        time.Time `json:"at"`
}

func (u PositionUpdate) validate() error {
	if u.Container == "" || u.At.IsZero() || u.Lat < -90 || u.Lat > 90 || u.Lon < -180 || u.Lon > 180 {
		return fmt.Errorf("invalid update %+v", u)
	}
	return nil
}

// maxTrack bounds the stored track of one container.
const maxTrack = 2000

// Consumer applies position updates.
type Consumer struct {
	st        storage.Store
	timeout   time.Duration
	log       *slog.Logger
	positions policy.Policy
	tracks    policy.Policy
}

// NewConsumer returns a Consumer; each update gets timeout to complete.
func NewConsumer(st storage.Store, timeout time.Duration, log *slog.Logger) *Consumer {
	return &Consumer{st: st, timeout: timeout, log: log, positions: policy.For("positions"), tracks: policy.For("tracks")}
}

// Handle processes a batch. Malformed messages are acknowledged and logged so
// they do not poison the queue.
func (c *Consumer) Handle(ctx context.Context, batch Batch) Result {
	var res Result
	for _, msg := range batch.Messages {
		var u PositionUpdate
		err := json.Unmarshal(msg.Body, &u)
		if err == nil {
			err = u.validate()
		}
		if err != nil {
			c.log.Warn("dropping malformed message", "id", msg.ID, "err", err)
			res.Acked = append(res.Acked, msg.ID)
			continue
		}
		if err := c.apply(ctx, u); err != nil {
			c.log.Warn("update failed", "id", msg.ID, "attempt", msg.Attempts, "err", err)
			res.Retry = append(res.Retry, msg.ID)
			continue
		}
		res.Acked = append(res.Acked, msg.ID)
		if err := c.st.Put(ctx, "queue:"+batch.Queue+":checkpoint", []byte(msg.ID)); err != nil { // EXPECT kvhotkey
			c.log.Warn("checkpoint failed", "err", err)
		}
	}
	return res
}

func (c *Consumer) apply(ctx context.Context, u PositionUpdate) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	b, err := json.Marshal(u)
	if err != nil {
		return err
	}
	opts := []storage.PutOption{storage.WithTTL(c.positions.TTL)}
	if u.Slot != "" {
		opts = append(opts, storage.WithMetadata(map[string]string{"slot": u.Slot}))
	}
	if err := c.st.Put(ctx, c.positions.Key(u.Container), b, opts...); err != nil {
		return err
	}
	return c.appendTrack(ctx, u)
}

func (c *Consumer) appendTrack(ctx context.Context, u PositionUpdate) error {
	key := c.tracks.Key(u.Container)
	r, _, err := kvio.NewReader(ctx, c.st, key)
	if err != nil {
		return err
	}
	samples, err := kvio.ReadSamples(r)
	if err != nil {
		return fmt.Errorf("track %s: %w", u.Container, err)
	}
	samples = append(samples, kvio.Sample{At: u.At, Lat: u.Lat, Lon: u.Lon})
	if len(samples) > maxTrack {
		samples = samples[len(samples)-maxTrack:]
	}
	w := kvio.NewWriter(ctx, c.st, key, storage.WithTTL(c.tracks.TTL))
	if err := kvio.WriteSamples(w, samples); err != nil {
		return err
	}
	return w.Close() // EXPECT kvrace
}
