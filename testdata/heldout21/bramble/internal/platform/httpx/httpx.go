// Package httpx holds the HTTP plumbing shared by the API binaries: error
// returning handlers, middleware stacks and route tables.
package httpx

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"runtime/debug"
	"time"

	"example.com/bramble/internal/ids"
)

// Middleware wraps a handler.
type Middleware func(http.Handler) http.Handler

// Chain applies mws so that the first one is the outermost.
func Chain(h http.Handler, mws ...Middleware) http.Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

// Handler is an HTTP handler that reports failures instead of writing them.
type Handler func(w http.ResponseWriter, r *http.Request) error

// ServeHTTP adapts Handler to http.Handler.
func (h Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := h(w, r); err != nil {
		WriteError(w, r, err)
	}
}

// Route is one entry of a route table.
type Route struct {
	Pattern    string
	Handler    Handler
	Middleware []Middleware
}

// Register mounts every route on mux, wrapping each with its own middleware
// and then the common stack.
func Register(mux *http.ServeMux, routes []Route, common ...Middleware) {
	for _, rt := range routes {
		h := Chain(rt.Handler, rt.Middleware...)
		mux.Handle(rt.Pattern, Chain(h, common...))
	}
}

// Error carries an HTTP status with a message safe to show to clients.
type Error struct {
	Status  int
	Message string
	Err     error
}

func (e *Error) Error() string { return fmt.Sprintf("%d %s: %v", e.Status, e.Message, e.Err) }

func (e *Error) Unwrap() error { return e.Err }

// Status builds an *Error.
func Status(code int, msg string, err error) error {
	return &Error{Status: code, Message: msg, Err: err}
}

// WriteError maps err to a JSON error response.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := http.StatusInternalServerError, "internal error"
	var he *Error
	switch {
	case errors.As(err, &he):
		status, msg = he.Status, he.Message
	case errors.Is(err, ids.ErrInvalid):
		status, msg = http.StatusBadRequest, err.Error()
	case errors.Is(err, context.DeadlineExceeded):
		status, msg = http.StatusGatewayTimeout, "upstream timeout"
	}
	if status >= 500 {
		log.Printf("%s %s: %v", r.Method, r.URL.Path, err)
	}
	_ = WriteJSON(w, status, map[string]string{"error": msg})
}

// WriteJSON writes v with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

// DecodeJSON reads a JSON body of at most 1 MiB into v.
func DecodeJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return Status(http.StatusBadRequest, "malformed request body", err)
	}
	return nil
}

// Recover turns panics into 500 responses.
func Recover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				log.Printf("panic serving %s: %v\n%s", r.URL.Path, v, debug.Stack())
				WriteError(w, r, errors.New("panic"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// Timeout bounds each request's context.
func Timeout(d time.Duration) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, cancel := context.WithTimeout(r.Context(), d)
			defer cancel()
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}
