// Package analytics consumes the game events that the Worker forwards to the
// ANALYTICS queue, keeps per-player and per-host read models in KV, and
// exports a host's results.
package analytics

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/queues"

	"github.com/quizfleet/dipper/internal/cfkv"
	"github.com/quizfleet/dipper/internal/events"
)

// Consumer pulls batches from a queue over HTTP and applies each message's
// event to the projectors registered for its type.
type Consumer struct {
	QueueID    string
	BatchSize  int
	Visibility time.Duration
	Idle       time.Duration
	Log        *slog.Logger
}

// Run pulls until ctx is done, waiting Idle after an empty batch and
// backing off after errors.
func (c *Consumer) Run(ctx context.Context) error {
	wait := time.Duration(0)
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		n, err := c.pollOnce(ctx)
		switch {
		case err != nil:
			c.Log.Error("pull failed", "queue", c.QueueID, "err", err)
			wait = min(max(2*wait, time.Second), time.Minute)
		case n == 0:
			wait = c.Idle
		default:
			wait = 0
		}
	}
}

func (c *Consumer) pollOnce(ctx context.Context) (int, error) {
	msgs, err := cfkv.Client().Queues.Messages.Pull(ctx, c.QueueID, queues.MessagePullParams{
		AccountID:         cloudflare.F(cfkv.AccountID()),
		BatchSize:         cloudflare.F(float64(c.BatchSize)),
		VisibilityTimeout: cloudflare.F(float64(c.Visibility.Milliseconds())),
	})
	if err != nil {
		return 0, err
	}
	if msgs == nil || len(*msgs) == 0 {
		return 0, nil
	}
	var (
		acks    []queues.MessageAckParamsAck
		retries []queues.MessageAckParamsRetry
	)
	for _, m := range *msgs {
		if err := c.handle(ctx, m); err != nil {
			delay := math.Min(30*math.Pow(2, m.Attempts), 900)
			c.Log.Warn("event failed, retrying", "id", m.ID, "attempts", m.Attempts, "delay_s", delay, "err", err)
			retries = append(retries, queues.MessageAckParamsRetry{
				LeaseID:      cloudflare.F(m.LeaseID),
				DelaySeconds: cloudflare.F(delay),
			})
			continue
		}
		acks = append(acks, queues.MessageAckParamsAck{LeaseID: cloudflare.F(m.LeaseID)})
		if err := cfkv.Put(ctx, cfkv.Analytics(), "consumer/last-message", []byte(m.ID)); err != nil { // EXPECT kvhotkey
			c.Log.Warn("checkpoint failed", "err", err)
		}
	}
	_, err = cfkv.Client().Queues.Messages.Ack(ctx, c.QueueID, queues.MessageAckParams{
		AccountID: cloudflare.F(cfkv.AccountID()),
		Acks:      cloudflare.F(acks),
		Retries:   cloudflare.F(retries),
	})
	return len(*msgs), err
}

var errPoison = errors.New("analytics: undecodable message")

func (c *Consumer) handle(ctx context.Context, m queues.MessagePullResponse) error {
	var ev events.Event
	if err := json.Unmarshal([]byte(m.Body), &ev); err != nil {
		// A message that cannot be decoded will not decode on a retry either.
		c.Log.Error("dropping message", "id", m.ID, "err", errors.Join(errPoison, err))
		return nil
	}
	for _, p := range projectors[ev.Type] {
		if err := p(ctx, ev); err != nil {
			return err
		}
	}
	return nil
}
