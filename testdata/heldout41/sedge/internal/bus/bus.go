// Package bus is the in-process event bus. Handlers run synchronously in
// the publishing request, in the order they subscribed.
package bus

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Event is anything with a topic.
type Event interface {
	Topic() string
}

// Handler receives published events.
type Handler func(ctx context.Context, evt Event) error

// Bus routes events to subscribers by topic.
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

// Publish delivers evt to every subscriber of its topic and joins their
// errors. A failing subscriber does not stop the others.
func (b *Bus) Publish(ctx context.Context, evt Event) error {
	b.mu.RLock()
	hs := b.subs[evt.Topic()]
	b.mu.RUnlock()
	var errs []error
	for i, h := range hs {
		if err := h(ctx, evt); err != nil {
			errs = append(errs, fmt.Errorf("%s subscriber %d: %w", evt.Topic(), i, err))
		}
	}
	return errors.Join(errs...)
}
