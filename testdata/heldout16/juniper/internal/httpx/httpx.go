// Package httpx adapts typed request/response functions to net/http.
package httpx

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
)

// Result pairs a value with the error that produced it, for channels.
type Result[T any] struct {
	Value T
	Err   error
}

// Ok and Fail build Results.
func Ok[T any](v T) Result[T]         { return Result[T]{Value: v} }
func Fail[T any](err error) Result[T] { return Result[T]{Err: err} }

// StatusError carries an HTTP status for the adapter to render.
type StatusError struct {
	Code int
	Msg  string
}

func (e *StatusError) Error() string { return e.Msg }

func BadRequest(msg string) error { return &StatusError{http.StatusBadRequest, msg} }
func NotFound(msg string) error   { return &StatusError{http.StatusNotFound, msg} }
func Conflict(msg string) error   { return &StatusError{http.StatusConflict, msg} }
func Unauthorized() error         { return &StatusError{http.StatusUnauthorized, "unauthorized"} }

// PathBinder is implemented by request types that read path values.
type PathBinder interface {
	BindPath(r *http.Request)
}

// Handle turns fn into an http.HandlerFunc: the JSON body (if any) decodes
// into Req, path values bind through PathBinder, and Resp encodes as JSON.
func Handle[Req, Resp any](fn func(context.Context, Req) (Resp, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req Req
		if r.ContentLength != 0 {
			if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid JSON body"})
				return
			}
		}
		if pb, ok := any(&req).(PathBinder); ok {
			pb.BindPath(r)
		}
		resp, err := fn(r.Context(), req)
		var se *StatusError
		switch {
		case errors.As(err, &se):
			writeJSON(w, se.Code, map[string]string{"error": se.Msg})
		case err != nil:
			slog.ErrorContext(r.Context(), "handler failed", "path", r.URL.Path, "err", err)
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "internal error"})
		default:
			writeJSON(w, http.StatusOK, resp)
		}
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
