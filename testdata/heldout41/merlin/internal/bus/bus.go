// Package bus is the in-process event bus that decouples HTTP handlers from
// the projections that follow a domain event.
package bus

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
)

// Event is anything published on the bus.
type Event interface {
	Topic() string
}

// Handler reacts to one event.
type Handler func(ctx context.Context, evt Event) error

// Bus delivers events to subscribers synchronously, in registration order.
type Bus struct {
	mu   sync.RWMutex
	subs map[string][]Handler
}

// New returns an empty bus.
func New() *Bus {
	return &Bus{subs: make(map[string][]Handler)}
}

// Subscribe registers h for topic.
func (b *Bus) Subscribe(topic string, h Handler) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.subs[topic] = append(b.subs[topic], h)
}

// Publish delivers evt to every subscriber of its topic. Every subscriber
// runs even when an earlier one fails; the failures are joined.
func (b *Bus) Publish(ctx context.Context, evt Event) error {
	b.mu.RLock()
	hs := slices.Clone(b.subs[evt.Topic()])
	b.mu.RUnlock()

	var errs []error
	for i, h := range hs {
		if err := ctx.Err(); err != nil {
			errs = append(errs, err)
			break
		}
		if err := h(ctx, evt); err != nil {
			errs = append(errs, fmt.Errorf("%s subscriber %d: %w", evt.Topic(), i, err))
		}
	}
	return errors.Join(errs...)
}
