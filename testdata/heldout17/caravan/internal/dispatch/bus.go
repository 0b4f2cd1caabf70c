// Package dispatch implements the dispatch use cases behind a command bus:
// creating shipments, assigning drivers and moving shipments through their
// life cycle.
package dispatch

import (
	"context"
	"fmt"
	"sync"
)

// Command is a request to change state.
type Command interface {
	CommandName() string
}

// Bus routes commands to their handler.
type Bus struct {
	mu       sync.RWMutex
	handlers map[string]func(context.Context, Command) (any, error)
}

// NewBus returns an empty Bus.
func NewBus() *Bus {
	return &Bus{handlers: map[string]func(context.Context, Command) (any, error){}}
}

// Handle registers h as the handler of commands of type C.
func Handle[C Command, R any](b *Bus, h func(context.Context, C) (R, error)) {
	var zero C
	b.mu.Lock()
	defer b.mu.Unlock()
	b.handlers[zero.CommandName()] = func(ctx context.Context, cmd Command) (any, error) {
		return h(ctx, cmd.(C))
	}
}

// Send delivers cmd to its handler and returns the handler's result as R.
func Send[R any](ctx context.Context, b *Bus, cmd Command) (R, error) {
	var zero R
	b.mu.RLock()
	h, ok := b.handlers[cmd.CommandName()]
	b.mu.RUnlock()
	if !ok {
		return zero, fmt.Errorf("dispatch: no handler for %s", cmd.CommandName())
	}
	out, err := h(ctx, cmd)
	if err != nil {
		return zero, err
	}
	r, ok := out.(R)
	if !ok {
		return zero, fmt.Errorf("dispatch: %s returned %T", cmd.CommandName(), out)
	}
	return r, nil
}
