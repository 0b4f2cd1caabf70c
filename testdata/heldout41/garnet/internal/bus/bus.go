// Package bus is a synchronous in-process event bus.
package bus

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"garnet/internal/events"
)

// Handler handles one published event.
type Handler func(ctx context.Context, evt events.Event) error

// Bus delivers each published event to the handlers subscribed to its topic,
// in subscription order.
type Bus struct {
	mu   sync.RWMutex
	subs map[string][]Handler
}

// New returns an empty bus.
func New() *Bus { return &Bus{subs: map[string][]Handler{}} }

// Subscribe registers h for topic.
func (b *Bus) Subscribe(topic string, h Handler) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.subs[topic] = append(b.subs[topic], h)
}

// Visit subscribes a visitor to topic: for each event, mk builds a visitor
// bound to the publisher's context and the event is applied to it.
func (b *Bus) Visit(topic string, mk func(ctx context.Context) events.Visitor) {
	b.Subscribe(topic, func(ctx context.Context, evt events.Event) error {
		return evt.Apply(mk(ctx))
	})
}

// Publish runs every handler for evt's topic and joins their errors.
func (b *Bus) Publish(ctx context.Context, evt events.Event) error {
	b.mu.RLock()
	hs := b.subs[evt.Topic()]
	b.mu.RUnlock()
	var errs []error
	for i, h := range hs {
		if err := h(ctx, evt); err != nil {
			errs = append(errs, fmt.Errorf("%s handler %d: %w", evt.Topic(), i, err))
		}
	}
	return errors.Join(errs...)
}
