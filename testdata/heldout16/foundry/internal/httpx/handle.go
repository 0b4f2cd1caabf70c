// Package httpx adapts typed request/response functions to net/http.
package httpx

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
)

// Binder is implemented by request types that read path or header values.
type Binder interface{ Bind(r *http.Request) error }

// StatusError carries an HTTP status for a domain error.
type StatusError struct {
	Code int
	Msg  string
}

func (e *StatusError) Error() string { return e.Msg }

// Error returns a StatusError.
func Error(code int, msg string) error { return &StatusError{Code: code, Msg: msg} }

// Empty is used for endpoints without a request or response body.
type Empty struct{}

// Handle turns fn into a JSON endpoint. The body (if any) is decoded into
// Req, then Bind is called when *Req implements Binder.
func Handle[Req, Resp any](fn func(context.Context, Req) (Resp, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req Req
		if r.ContentLength != 0 {
			if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": "malformed body"})
				return
			}
		}
		if b, ok := any(&req).(Binder); ok {
			if err := b.Bind(r); err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
				return
			}
		}
		res := Try(fn(r.Context(), req))
		var se *StatusError
		switch {
		case res.Err == nil:
			writeJSON(w, http.StatusOK, res.Value)
		case errors.As(res.Err, &se):
			writeJSON(w, se.Code, map[string]string{"error": se.Msg})
		default:
			slog.ErrorContext(r.Context(), "handler failed", "path", r.URL.Path, "err", res.Err)
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "internal error"})
		}
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// Result holds either a value or an error.
type Result[T any] struct {
	Value T
	Err   error
}

// Try packs a (value, error) pair.
func Try[T any](v T, err error) Result[T] { return Result[T]{Value: v, Err: err} }
