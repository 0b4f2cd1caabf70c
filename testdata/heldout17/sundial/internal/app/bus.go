// Package app holds the application layer plumbing: a command bus that
// dispatches use cases, and a unit of work that buffers their writes.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Command is a request to change state. Its name routes it to one handler.
type Command interface {
	CommandName() string
}

// Handler executes one kind of command.
type Handler func(ctx context.Context, cmd Command) (any, error)

// Bus dispatches commands to their registered handlers.
type Bus struct {
	mu       sync.RWMutex
	handlers map[string]Handler
	log      *slog.Logger
}

// NewBus returns an empty Bus.
func NewBus(log *slog.Logger) *Bus {
	return &Bus{handlers: make(map[string]Handler), log: log}
}

// Register binds the handler for commands of type C.
func Register[C Command, R any](b *Bus, h func(context.Context, C) (R, error)) {
	var zero C
	name := zero.CommandName()
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, dup := b.handlers[name]; dup {
		panic("app: duplicate handler for " + name)
	}
	b.handlers[name] = func(ctx context.Context, cmd Command) (any, error) {
		c, ok := cmd.(C)
		if !ok {
			return nil, fmt.Errorf("app: %s: unexpected %T", name, cmd)
		}
		return h(ctx, c)
	}
}

// Dispatch runs cmd and returns its result as R.
func Dispatch[R any](ctx context.Context, b *Bus, cmd Command) (R, error) {
	var zero R
	b.mu.RLock()
	h, ok := b.handlers[cmd.CommandName()]
	b.mu.RUnlock()
	if !ok {
		return zero, fmt.Errorf("app: no handler for %s", cmd.CommandName())
	}
	start := time.Now()
	out, err := h(ctx, cmd)
	b.log.DebugContext(ctx, "command", "name", cmd.CommandName(), "elapsed", time.Since(start), "error", err)
	if err != nil {
		return zero, err
	}
	r, ok := out.(R)
	if !ok && out != nil {
		return zero, fmt.Errorf("app: %s returned %T", cmd.CommandName(), out)
	}
	return r, nil
}
