// Package events is an in-process publish/subscribe bus with typed
// subscribers. Subscriptions are registered at wiring time, before serving.
package events

import (
	"context"
	"log/slog"
	"reflect"
	"sync"
)

type subscriber struct {
	name string
	fn   func(context.Context, any) error
}

// Bus dispatches events to subscribers by Go type.
type Bus struct {
	mu   sync.RWMutex
	subs map[reflect.Type][]subscriber
	log  *slog.Logger
}

// NewBus returns an empty bus.
func NewBus(log *slog.Logger) *Bus { return &Bus{subs: map[reflect.Type][]subscriber{}, log: log} }

// Subscribe registers fn for events of type E.
func Subscribe[E any](b *Bus, name string, fn func(context.Context, E) error) {
	t := reflect.TypeFor[E]()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.subs[t] = append(b.subs[t], subscriber{name, func(ctx context.Context, ev any) error { return fn(ctx, ev.(E)) }})
}

// Publish delivers ev to every subscriber of its type, in registration order.
// Subscriber errors are logged, never returned to the publisher.
func Publish[E any](ctx context.Context, b *Bus, ev E) {
	b.mu.RLock()
	subs := b.subs[reflect.TypeFor[E]()]
	b.mu.RUnlock()
	for _, s := range subs {
		if err := s.fn(ctx, ev); err != nil {
			b.log.ErrorContext(ctx, "subscriber failed", "subscriber", s.name, "err", err)
		}
	}
}

// LobbyOpened is published when a lobby is created.
type LobbyOpened struct{ LobbyID, Region, Mode string }

// LobbyClosed is published when a lobby is closed or abandoned.
type LobbyClosed struct{ LobbyID, Region string }

// MatchFinished is published when a match report is accepted.
type MatchFinished struct {
	MatchID, Region, Winner string
	Players                 []string
}
