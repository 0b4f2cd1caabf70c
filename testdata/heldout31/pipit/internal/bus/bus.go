// Package bus dispatches commands to handlers registered by command type.
package bus

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"sync"

	"example.com/pipit/internal/httpx"
)

// ErrNoHandler is returned when a command type has no registered handler.
var ErrNoHandler = errors.New("bus: no handler for command")

type handler func(ctx context.Context, cmd any) error

// Bus routes commands to handlers.
type Bus struct {
	mu       sync.RWMutex
	handlers map[reflect.Type]handler
}

// New returns an empty bus.
func New() *Bus { return &Bus{handlers: map[reflect.Type]handler{}} }

// Register installs h as the handler of commands of type C. Registering a
// second handler for the same type panics: that is a wiring mistake.
func Register[C any](b *Bus, h func(context.Context, C) error) {
	t := reflect.TypeFor[C]()
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, dup := b.handlers[t]; dup {
		panic(fmt.Sprintf("bus: duplicate handler for %s", t))
	}
	b.handlers[t] = func(ctx context.Context, cmd any) error { return h(ctx, cmd.(C)) }
}

// Dispatch runs the handler registered for cmd's dynamic type.
func (b *Bus) Dispatch(ctx context.Context, cmd any) error {
	b.mu.RLock()
	h, ok := b.handlers[reflect.TypeOf(cmd)]
	b.mu.RUnlock()
	if !ok {
		return fmt.Errorf("%w: %T", ErrNoHandler, cmd)
	}
	return h(ctx, cmd)
}

// Handle returns an HTTP handler that decodes the request body into a C,
// lets fill copy path values or session data into it, and dispatches it.
func Handle[C any](b *Bus, fill func(*http.Request, *C)) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		var cmd C
		if r.ContentLength != 0 {
			var err error
			if cmd, err = httpx.Decode[C](w, r); err != nil {
				return err
			}
		}
		if fill != nil {
			fill(r, &cmd)
		}
		if err := b.Dispatch(r.Context(), cmd); err != nil {
			return err
		}
		w.WriteHeader(http.StatusAccepted)
		return nil
	}
}
