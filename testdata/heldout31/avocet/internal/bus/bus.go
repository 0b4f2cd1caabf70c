// Package bus is an in-process command bus keyed by command type.
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

// ErrNoHandler is returned by Dispatch for a command type nobody handles.
var ErrNoHandler = errors.New("bus: no handler registered")

type handlerFunc func(ctx context.Context, cmd any) error

type Bus struct {
	mu       sync.RWMutex
	handlers map[reflect.Type]handlerFunc
}

func New() *Bus {
	return &Bus{handlers: make(map[reflect.Type]handlerFunc)}
}

// Register installs h as the handler for commands of type C. Registering the
// same type twice panics: it is always a wiring bug.
func Register[C any](b *Bus, h func(context.Context, C) error) {
	t := reflect.TypeFor[C]()
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, dup := b.handlers[t]; dup {
		panic(fmt.Sprintf("bus: handler for %s registered twice", t))
	}
	b.handlers[t] = func(ctx context.Context, cmd any) error {
		c, ok := cmd.(C)
		if !ok {
			return fmt.Errorf("bus: %T is not %s", cmd, t)
		}
		return h(ctx, c)
	}
}

// Dispatch runs the handler registered for the dynamic type of cmd.
func (b *Bus) Dispatch(ctx context.Context, cmd any) error {
	b.mu.RLock()
	h, ok := b.handlers[reflect.TypeOf(cmd)]
	b.mu.RUnlock()
	if !ok {
		return fmt.Errorf("%w: %T", ErrNoHandler, cmd)
	}
	return h(ctx, cmd)
}

// Decoder fills a command from a request. The default decodes a JSON body.
type Decoder[C any] func(r *http.Request) (C, error)

// JSONBody decodes the request body as JSON into a fresh C.
func JSONBody[C any](r *http.Request) (C, error) {
	var c C
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	if err := dec.Decode(&c); err != nil {
		return c, fmt.Errorf("decode %s: %w", reflect.TypeFor[C](), err)
	}
	return c, nil
}

// StatusError lets handlers choose the HTTP status for a failure.
type StatusError struct {
	Code int
	Err  error
}

func (e *StatusError) Error() string { return e.Err.Error() }
func (e *StatusError) Unwrap() error { return e.Err }

func Fail(code int, err error) error { return &StatusError{Code: code, Err: err} }

// Handle returns an HTTP handler that decodes a C with dec and dispatches it.
func Handle[C any](b *Bus, dec Decoder[C]) http.HandlerFunc {
	if dec == nil {
		dec = JSONBody[C]
	}
	return func(w http.ResponseWriter, r *http.Request) {
		cmd, err := dec(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if err := b.Dispatch(r.Context(), cmd); err != nil {
			WriteError(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

func WriteError(w http.ResponseWriter, err error) {
	var se *StatusError
	if errors.As(err, &se) {
		http.Error(w, se.Error(), se.Code)
		return
	}
	if errors.Is(err, ErrNoHandler) {
		http.Error(w, err.Error(), http.StatusNotImplemented)
		return
	}
	http.Error(w, "internal error", http.StatusInternalServerError)
}
