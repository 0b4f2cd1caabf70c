// Package queue consumes batches from the platform event queue (pushed by the
// edge uploader) and fans them out to projections and statistics.
package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"example.com/quarry/internal/kvstore"
	"example.com/quarry/internal/outbox"
)

// Message is one queued message.
type Message struct {
	ID        string          `json:"id"`
	Timestamp time.Time       `json:"timestamp"`
	Body      json.RawMessage `json:"body"`
	Attempts  int             `json:"attempts"`
}

// Batch is what the queue delivers per pull.
type Batch struct {
	Queue    string    `json:"queue"`
	Messages []Message `json:"messages"`
}

// Result tells the queue which messages to acknowledge and which to retry.
type Result struct {
	Ack   []string `json:"ack"`
	Retry []string `json:"retry"`
}

// PoisonError marks a message that can never be processed.
type PoisonError struct {
	MsgID string
	Err   error
}

func (e *PoisonError) Error() string {
	return fmt.Sprintf("queue: poison message %s: %v", e.MsgID, e.Err)
}
func (e *PoisonError) Unwrap() error { return e.Err }

// Consumer processes batches.
type Consumer struct {
	st      kvstore.Store
	proj    *outbox.Projector
	log     *slog.Logger
	timeout time.Duration
}

// NewConsumer returns a Consumer.
func NewConsumer(st kvstore.Store, proj *outbox.Projector, log *slog.Logger) *Consumer {
	return &Consumer{st: st, proj: proj, log: log, timeout: 20 * time.Second}
}

type envelope struct {
	Kind  string        `json:"kind"`
	Event *outbox.Event `json:"event,omitempty"`
}

// Handle processes one batch.
func (c *Consumer) Handle(ctx context.Context, batch Batch) Result {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()

	var res Result
	for _, msg := range batch.Messages {
		err := c.handleOne(ctx, msg)
		var poison *PoisonError
		switch {
		case err == nil:
			res.Ack = append(res.Ack, msg.ID)
		case errors.As(err, &poison):
			c.log.ErrorContext(ctx, "dropping message", "msg", msg.ID, "err", err)
			res.Ack = append(res.Ack, msg.ID)
		default:
			c.log.WarnContext(ctx, "retrying message", "msg", msg.ID, "err", err)
			res.Retry = append(res.Retry, msg.ID)
			continue
		}
		cp := []byte(msg.ID + "@" + msg.Timestamp.Format(time.RFC3339Nano))
		if err := c.st.Put(ctx, "queue:"+batch.Queue+":checkpoint", cp, kvstore.PutOptions{}); err != nil { // EXPECT kvhotkey
			c.log.WarnContext(ctx, "checkpoint not saved", "err", err)
		}
	}
	return res
}

func (c *Consumer) handleOne(ctx context.Context, msg Message) error {
	var env envelope
	if err := json.Unmarshal(msg.Body, &env); err != nil {
		return &PoisonError{MsgID: msg.ID, Err: err}
	}
	switch env.Kind {
	case "event":
		if env.Event == nil {
			return &PoisonError{MsgID: msg.ID, Err: errors.New("event kind without event")}
		}
		err := c.proj.Apply(ctx, *env.Event)
		if errors.Is(err, outbox.ErrUnhandled) {
			return &PoisonError{MsgID: msg.ID, Err: err}
		}
		return err
	case "receipt":
		return c.st.Put(ctx, "receipt:"+msg.ID, msg.Body, kvstore.PutOptions{TTL: 24 * time.Hour})
	default:
		return &PoisonError{MsgID: msg.ID, Err: fmt.Errorf("unknown kind %q", env.Kind)}
	}
}
