// Package web adapts handlers that return a value or an error to
// http.HandlerFunc, so that handlers read as straight-line code.
package web

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
)

// Error is an error with the status and message the client gets.
type Error struct {
	Status int
	Msg    string
}

func (e *Error) Error() string { return e.Msg }

// Fail returns an error that Handle answers with status and msg.
func Fail(status int, msg string) error { return &Error{Status: status, Msg: msg} }

// Created is a value that Handle answers with 201.
type Created struct{ V any }

// Redirect is a value that Handle answers with a redirect.
type Redirect struct {
	URL    string
	Status int
}

// Func is a handler that returns the JSON body of its answer.
type Func func(w http.ResponseWriter, r *http.Request) (any, error)

// Handle answers with fn's value as JSON, or 204 when it is nil. A returned
// *Error sets the status; any other error is logged and answered with 503,
// which clients retry.
func Handle(fn Func) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, err := fn(w, r)
		var we *Error
		switch {
		case errors.As(err, &we):
			http.Error(w, we.Msg, we.Status)
			return
		case err != nil:
			slog.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
			http.Error(w, "temporarily unavailable, try again", http.StatusServiceUnavailable)
			return
		case v == nil:
			w.WriteHeader(http.StatusNoContent)
			return
		}
		status := http.StatusOK
		switch x := v.(type) {
		case Redirect:
			http.Redirect(w, r, x.URL, x.Status)
			return
		case Created:
			status, v = http.StatusCreated, x.V
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
}

// Decode reads a JSON request body into dst.
func Decode(r *http.Request, dst any) error {
	if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(dst); err != nil {
		return Fail(http.StatusBadRequest, "malformed JSON body")
	}
	return nil
}
