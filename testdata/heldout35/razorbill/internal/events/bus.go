// Package events is the in-process event bus that decouples request handling
// from bookkeeping (counters, indexes, cache invalidation).
package events

import (
	"errors"
	"sync"
	"time"
)

// Event is what handlers publish. Payload carries one of the message types
// declared in messages.go.
type Event struct {
	Name    string
	At      time.Time
	Payload any
}

// Handler reacts to an event.
type Handler func(Event) error

// Bus dispatches events by name to registered handlers, in registration order.
type Bus struct {
	mu   sync.RWMutex
	subs map[string][]Handler
}

// NewBus returns an empty bus.
func NewBus() *Bus { return &Bus{subs: make(map[string][]Handler)} }

// On registers h for events called name.
func (b *Bus) On(name string, h Handler) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.subs[name] = append(b.subs[name], h)
}

// Emit delivers e to every handler registered for e.Name and joins their errors.
func (b *Bus) Emit(e Event) error {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	b.mu.RLock()
	hs := append([]Handler(nil), b.subs[e.Name]...)
	b.mu.RUnlock()
	var errs []error
	for _, h := range hs {
		if err := h(e); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
