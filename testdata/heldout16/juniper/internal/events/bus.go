// Package events is an in-process publish/subscribe bus. Subscribers are
// registered at wiring time, typed by the event they handle.
package events

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"time"
)

// Bus dispatches events to the subscribers registered for their type.
type Bus struct {
	mu   sync.RWMutex
	subs map[reflect.Type][]subscriber
}

type subscriber struct {
	name string
	fn   func(context.Context, any) error
}

// New returns an empty bus.
func New() *Bus { return &Bus{subs: map[reflect.Type][]subscriber{}} }

// Subscribe registers fn for events of type E.
func Subscribe[E any](b *Bus, name string, fn func(context.Context, E) error) {
	t := reflect.TypeFor[E]()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.subs[t] = append(b.subs[t], subscriber{name, func(ctx context.Context, e any) error { return fn(ctx, e.(E)) }})
}

// Publish delivers e to every subscriber of E in registration order and
// joins their errors; a failing subscriber does not stop the others.
func Publish[E any](ctx context.Context, b *Bus, e E) error {
	b.mu.RLock()
	subs := b.subs[reflect.TypeFor[E]()]
	b.mu.RUnlock()
	var errs []error
	for _, s := range subs {
		if err := s.fn(ctx, e); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", s.name, err))
		}
	}
	return errors.Join(errs...)
}

// ReservationCreated is published after a reservation is stored.
type ReservationCreated struct {
	ReservationID, VenueID, GuestEmail string
	PartySize                          int
	Slot, At                           time.Time
}

// ReservationCancelled is published after a reservation is cancelled.
type ReservationCancelled struct {
	ReservationID, VenueID string
	Slot, At               time.Time
}
