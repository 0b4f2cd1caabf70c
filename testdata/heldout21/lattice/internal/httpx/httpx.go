// Package httpx holds the HTTP plumbing shared by Lattice's services:
// middleware stacks, an adapter for handlers that return errors, and route
// tables.
package httpx

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"slices"
)

// Middleware wraps a handler.
type Middleware func(http.Handler) http.Handler

// Chain applies mws so that the first one is outermost.
func Chain(h http.Handler, mws ...Middleware) http.Handler {
	for _, mw := range slices.Backward(mws) {
		h = mw(h)
	}
	return h
}

// StatusError carries an HTTP status with an error.
type StatusError struct {
	Code int
	Err  error
}

func (e *StatusError) Error() string { return e.Err.Error() }
func (e *StatusError) Unwrap() error { return e.Err }

// Status builds a StatusError.
func Status(code int, err error) error { return &StatusError{Code: code, Err: err} }

// HandlerFunc is a handler that reports failure by returning an error.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// ServeHTTP adapts HandlerFunc to http.Handler.
func (f HandlerFunc) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	err := f(w, r)
	if err == nil {
		return
	}
	code := http.StatusInternalServerError
	var se *StatusError
	switch {
	case errors.As(err, &se):
		code = se.Code
	case errors.Is(err, context.DeadlineExceeded):
		code = http.StatusGatewayTimeout
	case errors.Is(err, context.Canceled):
		return
	}
	if code >= 500 {
		log.Printf("%s %s: %v", r.Method, r.URL.Path, err)
	}
	http.Error(w, http.StatusText(code), code)
}

// JSON writes v with status 200.
func JSON(w http.ResponseWriter, v any) error {
	w.Header().Set("Content-Type", "application/json")
	return json.NewEncoder(w).Encode(v)
}

// Route is one entry of a route table.
type Route struct {
	Pattern    string
	Handler    HandlerFunc
	Middleware []Middleware
}

// Register adds every route to mux, each wrapped in common then its own
// middleware.
func Register(mux *http.ServeMux, routes []Route, common ...Middleware) {
	for _, rt := range routes {
		mws := append(slices.Clone(common), rt.Middleware...)
		mux.Handle(rt.Pattern, Chain(rt.Handler, mws...))
	}
}

type requestIDKey struct{}

// RequestID tags each request with an id header.
func RequestID() Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id := r.Header.Get("X-Request-Id")
			if id == "" {
				id = rand.Text()[:16]
			}
			w.Header().Set("X-Request-Id", id)
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
		})
	}
}
