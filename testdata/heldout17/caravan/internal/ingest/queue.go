// Package ingest consumes the queue fed by the driver app with GPS pings.
package ingest

import (
	"context"
	"time"
)

// Message is one queued message. Ack and Retry settle it; the first call wins.
type Message struct {
	ID      string        `json:"id"`
	Body    []byte        `json:"body"`
	Settled bool          `json:"settled"`
	RetryIn time.Duration `json:"retry_in"`
}

// Ack marks the message as processed.
func (m *Message) Ack() { m.settle(0) }

// Retry asks for redelivery after delay.
func (m *Message) Retry(delay time.Duration) { m.settle(delay) }

func (m *Message) settle(d time.Duration) {
	if !m.Settled {
		m.Settled, m.RetryIn = true, d
	}
}

// Batch is what the queue delivers (max_batch_size = 100).
type Batch struct {
	Queue    string     `json:"queue"`
	Messages []*Message `json:"messages"`
}

// Consumer handles batches from one queue.
type Consumer interface {
	Consume(ctx context.Context, b Batch) error
}
