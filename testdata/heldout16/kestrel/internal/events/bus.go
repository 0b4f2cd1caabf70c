// Package events is an in-process publish/subscribe bus. Subscribers are
// registered at wiring time, by event type, and run synchronously in
// registration order.
package events

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"sync"
)

type subscriber struct {
	name string
	fn   func(context.Context, any) error
}

// Bus routes events to subscribers of their type.
type Bus struct {
	mu   sync.RWMutex
	subs map[reflect.Type][]subscriber
	log  *slog.Logger
}

// New returns an empty bus.
func New(log *slog.Logger) *Bus {
	if log == nil {
		log = slog.Default()
	}
	return &Bus{subs: map[reflect.Type][]subscriber{}, log: log}
}

// Subscribe registers fn for events of type E.
func Subscribe[E any](b *Bus, name string, fn func(context.Context, E) error) {
	t := reflect.TypeFor[E]()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.subs[t] = append(b.subs[t], subscriber{name: name, fn: func(ctx context.Context, e any) error {
		return fn(ctx, e.(E))
	}})
}

// Publish delivers e to every subscriber of E. A failing subscriber does not
// stop the others; their errors are joined.
func Publish[E any](ctx context.Context, b *Bus, e E) error {
	b.mu.RLock()
	subs := b.subs[reflect.TypeFor[E]()]
	b.mu.RUnlock()

	var errs []error
	for _, s := range subs {
		if err := s.fn(ctx, e); err != nil {
			b.log.Warn("event subscriber failed", "subscriber", s.name, "event", fmt.Sprintf("%T", e), "err", err)
			errs = append(errs, fmt.Errorf("%s: %w", s.name, err))
		}
	}
	return errors.Join(errs...)
}
