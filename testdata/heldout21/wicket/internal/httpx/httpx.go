// Package httpx has the small HTTP plumbing shared by the edge handlers:
// error-returning handlers, middleware stacks and route tables.
package httpx

import (
	"encoding/json"
	"errors"
	"log"
	"net/http"
)

// Handler is an HTTP handler that reports failure by returning an error.
type Handler func(w http.ResponseWriter, r *http.Request) error

// StatusError carries the HTTP status a failure should map to.
type StatusError struct {
	Code int
	Msg  string
	Err  error
}

func (e *StatusError) Error() string {
	if e.Err != nil {
		return e.Msg + ": " + e.Err.Error()
	}
	return e.Msg
}

func (e *StatusError) Unwrap() error { return e.Err }

// Status builds a StatusError.
func Status(code int, msg string, err error) error {
	return &StatusError{Code: code, Msg: msg, Err: err}
}

// ServeHTTP adapts Handler to http.Handler.
func (h Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	err := h(w, r)
	if err == nil {
		return
	}
	var se *StatusError
	if errors.As(err, &se) {
		if se.Code >= 500 {
			log.Printf("%s %s: %v", r.Method, r.URL.Path, err)
		}
		WriteJSON(w, se.Code, map[string]string{"error": se.Msg})
		return
	}
	log.Printf("%s %s: %v", r.Method, r.URL.Path, err)
	WriteJSON(w, http.StatusInternalServerError, map[string]string{"error": "internal error"})
}

// JSON adapts a function that only computes a response body.
func JSON(f func(r *http.Request) (any, error)) Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		v, err := f(r)
		if err != nil {
			return err
		}
		return WriteJSON(w, http.StatusOK, v)
	}
}

// WriteJSON writes v with the given status.
func WriteJSON(w http.ResponseWriter, code int, v any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	return json.NewEncoder(w).Encode(v)
}

// DecodeJSON reads a bounded JSON body.
func DecodeJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return Status(http.StatusBadRequest, "malformed request body", err)
	}
	return nil
}

// Middleware wraps a handler.
type Middleware func(http.Handler) http.Handler

// Stack applies middleware so the first listed runs first.
func Stack(h http.Handler, mws ...Middleware) http.Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

// Route is one row of a route table.
type Route struct {
	Pattern string
	Handler http.Handler
	Mw      []Middleware
}

// Mount registers every route on mux.
func Mount(mux *http.ServeMux, routes []Route, common ...Middleware) {
	for _, rt := range routes {
		mws := append(append([]Middleware(nil), common...), rt.Mw...)
		mux.Handle(rt.Pattern, Stack(rt.Handler, mws...))
	}
}
