// Package workqueue is the backend's work queue and the poller that
// drains it. The production queue is an HTTP pull queue; Memory is used
// in development.
package workqueue

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Message is one delivery.
type Message struct {
	ID       string
	Topic    string
	Body     []byte
	Attempts int
}

// Queue is a pull queue with explicit ack and retry.
type Queue interface {
	Receive(ctx context.Context, max int) ([]Message, error)
	Ack(ctx context.Context, ids ...string) error
	Retry(ctx context.Context, id string, delay time.Duration) error
}

// Handler processes one batch. It acks or retries each message itself.
type Handler interface {
	HandleBatch(ctx context.Context, q Queue, batch []Message) error
}

// Poller drains a queue into a handler.
type Poller struct {
	Queue     Queue
	Handler   Handler
	BatchSize int
	Idle      time.Duration
}

// Run polls until ctx ends.
func (p *Poller) Run(ctx context.Context) error {
	idle := p.Idle
	if idle <= 0 {
		idle = 2 * time.Second
	}
	for {
		batch, err := p.Queue.Receive(ctx, max(p.BatchSize, 1))
		if err != nil {
			slog.Warn("queue receive", "err", err)
		}
		if len(batch) > 0 {
			if err := p.Handler.HandleBatch(ctx, p.Queue, batch); err != nil {
				slog.Error("batch failed", "err", err, "size", len(batch))
			}
			continue
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(idle):
		}
	}
}

// Memory is an in-process queue for development.
type Memory struct {
	mu      sync.Mutex
	pending []Message
}

// Push enqueues m.
func (q *Memory) Push(m Message) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.pending = append(q.pending, m)
}

// Receive pops up to max messages.
func (q *Memory) Receive(_ context.Context, max int) ([]Message, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := min(max, len(q.pending))
	out := append([]Message(nil), q.pending[:n]...)
	q.pending = q.pending[n:]
	return out, nil
}

// Ack is a no-op for Memory.
func (q *Memory) Ack(context.Context, ...string) error { return nil }

// Retry re-enqueues the message after delay.
func (q *Memory) Retry(_ context.Context, id string, delay time.Duration) error {
	time.AfterFunc(delay, func() { q.Push(Message{ID: id, Attempts: 1}) })
	return nil
}
