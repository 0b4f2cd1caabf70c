// Package queue models batch delivery from a message queue: a consumer gets a
// slice of messages and acknowledges or retries each one.
package queue

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// Message is one delivery. Exactly one of Ack or Retry should be called.
type Message struct {
	ID       string
	Body     []byte
	Attempts int
	SentAt   time.Time

	settled bool
	retry   bool
	delay   time.Duration
}

// Ack marks the message as processed.
func (m *Message) Ack() { m.settled, m.retry = true, false }

// Retry asks for redelivery after delay.
func (m *Message) Retry(delay time.Duration) { m.settled, m.retry, m.delay = true, true, delay }

// Settled reports whether Ack or Retry was called.
func (m *Message) Settled() bool { return m.settled }

// Retrying reports whether the message was sent back with Retry.
func (m *Message) Retrying() bool { return m.retry }

// Batch is one delivery of several messages from the same queue.
type Batch struct {
	Queue    string
	Messages []*Message
}

// ErrPermanent marks a handler error that must not be retried.
var ErrPermanent = errors.New("queue: permanent failure")

// Handler processes one message.
type Handler func(ctx context.Context, m *Message) error

// Outcome summarises a processed batch.
type Outcome struct {
	Acked, Retried, Dropped int
}

// Policy controls retry behaviour.
type Policy struct {
	MaxAttempts int
	BaseDelay   time.Duration
	MaxDelay    time.Duration
}

// DefaultPolicy retries five times with exponential backoff from 2s to 5m.
var DefaultPolicy = Policy{MaxAttempts: 5, BaseDelay: 2 * time.Second, MaxDelay: 5 * time.Minute}

func (p Policy) backoff(attempts int) time.Duration {
	d := p.BaseDelay << min(attempts, 16)
	if d > p.MaxDelay || d <= 0 {
		return p.MaxDelay
	}
	return d
}

// Process runs h over every message of b, acking successes and retrying
// failures with backoff until MaxAttempts, after which they are dropped.
func Process(ctx context.Context, b *Batch, p Policy, log *slog.Logger, h Handler) Outcome {
	var out Outcome
	for _, m := range b.Messages {
		if err := ctx.Err(); err != nil {
			m.Retry(p.BaseDelay)
			out.Retried++
			continue
		}
		err := h(ctx, m)
		switch {
		case err == nil:
			m.Ack()
			out.Acked++
		case errors.Is(err, ErrPermanent) || m.Attempts+1 >= p.MaxAttempts:
			log.Error("dropping message", "queue", b.Queue, "id", m.ID, "attempts", m.Attempts+1, "err", err)
			m.Ack()
			out.Dropped++
		default:
			m.Retry(p.backoff(m.Attempts))
			out.Retried++
		}
	}
	return out
}
