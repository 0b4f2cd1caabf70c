// Package bus routes commands to their handlers by the command's type.
package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"sync"
)

var ErrNoHandler = errors.New("bus: no handler registered")

type Bus struct {
	mu       sync.RWMutex
	handlers map[reflect.Type]func(context.Context, any) error
}

func New() *Bus {
	return &Bus{handlers: make(map[reflect.Type]func(context.Context, any) error)}
}

// Register installs h as the handler for commands of type C.
func Register[C any](b *Bus, h func(context.Context, C) error) {
	t := reflect.TypeFor[C]()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.handlers[t] = func(ctx context.Context, cmd any) error {
		c, ok := cmd.(C)
		if !ok {
			return fmt.Errorf("bus: %T is not %s", cmd, t)
		}
		return h(ctx, c)
	}
}

func (b *Bus) Dispatch(ctx context.Context, cmd any) error {
	b.mu.RLock()
	h, ok := b.handlers[reflect.TypeOf(cmd)]
	b.mu.RUnlock()
	if !ok {
		return fmt.Errorf("%w for %T", ErrNoHandler, cmd)
	}
	return h(ctx, cmd)
}

func JSONBody[C any](r *http.Request) (C, error) {
	var c C
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, fmt.Errorf("decode %s: %w", reflect.TypeFor[C]().Name(), err)
	}
	return c, nil
}

// Handle builds an HTTP handler that decodes a command and dispatches it;
// status maps handler errors to HTTP statuses.
func Handle[C any](b *Bus, decode func(*http.Request) (C, error), status func(error) int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		cmd, err := decode(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		rep := &reply{}
		if err := b.Dispatch(context.WithValue(r.Context(), replyKey{}, rep), cmd); err != nil {
			http.Error(w, err.Error(), status(err))
			return
		}
		if rep.body == nil {
			w.WriteHeader(http.StatusAccepted)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(rep.body)
	}
}

type replyKey struct{}

type reply struct{ body any }

// Reply sets the response body of the HTTP request that carried the command.
func Reply(ctx context.Context, body any) {
	if rep, ok := ctx.Value(replyKey{}).(*reply); ok {
		rep.body = body
	}
}
