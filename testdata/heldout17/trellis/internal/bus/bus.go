// Package bus dispatches commands and queries to their handlers, decoupling transports from services.
package bus

import (
	"context"
	"fmt"
	"log/slog"
	"reflect"
	"sync"
)

type handler func(ctx context.Context, msg any) (any, error)

// Bus is a mediator between senders and handlers.
type Bus struct {
	mu       sync.RWMutex
	handlers map[reflect.Type]handler
	log      *slog.Logger
}

func New(log *slog.Logger) *Bus { return &Bus{handlers: map[reflect.Type]handler{}, log: log} }

// Register installs h as the handler for messages of type C.
func Register[C any, R any](b *Bus, h func(context.Context, C) (R, error)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.handlers[reflect.TypeFor[C]()] = func(ctx context.Context, msg any) (any, error) { return h(ctx, msg.(C)) }
}

// Send dispatches cmd and returns its handler's result.
func Send[R any, C any](ctx context.Context, b *Bus, cmd C) (R, error) {
	var zero R
	b.mu.RLock()
	h, ok := b.handlers[reflect.TypeFor[C]()]
	b.mu.RUnlock()
	if !ok {
		return zero, fmt.Errorf("bus: no handler for %T", cmd)
	}
	out, err := h(ctx, cmd)
	if err != nil {
		b.log.DebugContext(ctx, "command failed", "msg", fmt.Sprintf("%T", cmd), "err", err)
		return zero, err
	}
	r, _ := out.(R)
	return r, nil
}
