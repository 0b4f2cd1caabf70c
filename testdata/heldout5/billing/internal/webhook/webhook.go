// Package webhook processes payment-provider webhooks exactly once.
package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"example.com/billing/internal/clock"
	"example.com/billing/internal/kvstore"
)

// ErrDuplicate means the event was already accepted.
var ErrDuplicate = errors.New("webhook: duplicate delivery")

// Event is a normalised provider event.
type Event struct {
	Provider   string          `json:"provider"`
	ID         string          `json:"id"`
	Type       string          `json:"type"`
	CustomerID string          `json:"customer_id"`
	Payload    json.RawMessage `json:"payload"`
}

// Handler processes one event type.
type Handler func(ctx context.Context, ev Event) error

// Deps are the storage functions the processor needs. They are usually
// method values of a kvstore.KV.
type Deps struct {
	Load   func(ctx context.Context, key string) ([]byte, error)
	Save   func(ctx context.Context, key string, value []byte, opts ...kvstore.PutOption) error
	Forget func(ctx context.Context, key string) error
	Clock  clock.Clock
	Log    *slog.Logger
}

// Processor dispatches events to handlers.
type Processor struct {
	deps        Deps
	window      time.Duration
	receiptTTL  time.Duration
	maxAttempts int
	handlers    map[string]Handler
}

// Option configures a Processor.
type Option func(*Processor)

// WithReceiptTTL sets how long processing receipts are kept.
func WithReceiptTTL(d time.Duration) Option { return func(p *Processor) { p.receiptTTL = d } }

// WithMaxAttempts sets how many failed deliveries park an event.
func WithMaxAttempts(n int) Option { return func(p *Processor) { p.maxAttempts = n } }

// NewProcessor builds a processor. window is how long a delivered event ID
// is remembered for de-duplication.
func NewProcessor(d Deps, window time.Duration, opts ...Option) *Processor {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	p := &Processor{deps: d, window: window, receiptTTL: 7 * 24 * time.Hour, maxAttempts: 8, handlers: map[string]Handler{}}
	for _, o := range opts {
		o(p)
	}
	return p
}

// On registers h for eventType.
func (p *Processor) On(eventType string, h Handler) { p.handlers[eventType] = h }

func idemKey(ev Event) string { return "whk:seen:" + ev.Provider + ":" + ev.ID }

// Handle processes ev unless it was seen before.
func (p *Processor) Handle(ctx context.Context, ev Event) error {
	key := idemKey(ev)
	if _, err := p.deps.Load(ctx, key); err == nil {
		return ErrDuplicate
	} else if !kvstore.IsNotFound(err) {
		return fmt.Errorf("idempotency lookup: %w", err)
	}
	stamp := []byte(p.deps.Clock.Now().UTC().Format(time.RFC3339Nano))
	if err := p.deps.Save(ctx, key, stamp, kvstore.WithTTL(p.window)); err != nil { // EXPECT kvrace
		return fmt.Errorf("idempotency mark: %w", err)
	}

	h, ok := p.handlers[ev.Type]
	if !ok {
		p.deps.Log.Debug("webhook ignored", "type", ev.Type, "id", ev.ID)
		return nil
	}
	if err := h(ctx, ev); err != nil {
		// Let the provider's retry through.
		_ = p.deps.Forget(ctx, key)
		return p.failed(ctx, ev, err)
	}
	receipt, _ := json.Marshal(map[string]any{"type": ev.Type, "customer": ev.CustomerID, "at": p.deps.Clock.Now().UTC()})
	return p.deps.Save(ctx, "whk:receipt:"+ev.Provider+":"+ev.ID, receipt, kvstore.WithTTL(p.receiptTTL))
}

func (p *Processor) failed(ctx context.Context, ev Event, cause error) error {
	key := "whk:attempts:" + ev.Provider + ":" + ev.ID
	attempts := 0
	if raw, err := p.deps.Load(ctx, key); err == nil {
		attempts, _ = strconv.Atoi(string(raw))
	}
	attempts++
	if err := p.deps.Save(ctx, key, []byte(strconv.Itoa(attempts)), kvstore.WithTTL(72*time.Hour)); err != nil { // EXPECT kvcounter
		p.deps.Log.Warn("attempt counter", "err", err)
	}
	if attempts >= p.maxAttempts {
		body, _ := json.Marshal(ev)
		if err := p.deps.Save(ctx, "whk:parked:"+ev.Provider+":"+ev.ID, body, kvstore.WithTTL(30*24*time.Hour)); err != nil {
			return errors.Join(cause, err)
		}
		p.deps.Log.Error("webhook parked", "id", ev.ID, "type", ev.Type, "err", cause)
		return nil
	}
	return cause
}

// Receipt returns the processing receipt for an event, if any.
func (p *Processor) Receipt(ctx context.Context, provider, id string) ([]byte, error) {
	return p.deps.Load(ctx, "whk:receipt:"+provider+":"+id)
}
