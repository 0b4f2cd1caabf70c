// Package httpx adapts typed service functions to net/http.
package httpx

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"
	"runtime/debug"
)

// Error is an error that carries an HTTP status.
type Error struct {
	Status int
	Msg    string
}

func (e *Error) Error() string { return e.Msg }

// NotFound returns a 404 error.
func NotFound(msg string) error { return &Error{Status: http.StatusNotFound, Msg: msg} }

// Conflict returns a 409 error.
func Conflict(msg string) error { return &Error{Status: http.StatusConflict, Msg: msg} }

// BadRequest returns a 400 error.
func BadRequest(msg string) error { return &Error{Status: http.StatusBadRequest, Msg: msg} }

// Unauthorized returns a 401 error.
func Unauthorized(msg string) error { return &Error{Status: http.StatusUnauthorized, Msg: msg} }

// TooMany returns a 429 error.
func TooMany(msg string) error { return &Error{Status: http.StatusTooManyRequests, Msg: msg} }

// Binder is implemented by request types that read part of themselves from
// the URL (path values, query string, headers).
type Binder interface {
	Bind(r *http.Request) error
}

// Followup is work to run after the response has been written.
type Followup func(ctx context.Context)

// Handle turns a typed function into an http.HandlerFunc: it decodes the JSON
// body into Req, binds URL parameters, calls fn and encodes Resp.
func Handle[Req, Resp any](fn func(context.Context, Req) (Resp, error)) http.HandlerFunc {
	return HandleThen(func(ctx context.Context, req Req) (Resp, Followup, error) {
		resp, err := fn(ctx, req)
		return resp, nil, err
	})
}

// HandleThen is Handle for functions that also return work to do once the
// client has its answer. The follow-up runs detached from the request's
// cancellation.
func HandleThen[Req, Resp any](fn func(context.Context, Req) (Resp, Followup, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req Req
		if r.Body != nil && r.ContentLength != 0 {
			if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil && !errors.Is(err, io.EOF) {
				writeErr(w, BadRequest("malformed JSON body"))
				return
			}
		}
		if b, ok := any(&req).(Binder); ok {
			if err := b.Bind(r); err != nil {
				writeErr(w, err)
				return
			}
		}
		resp, then, err := fn(r.Context(), req)
		if err != nil {
			writeErr(w, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(resp)
		if then != nil {
			ctx := context.WithoutCancel(r.Context())
			Go(r.Pattern, func() { then(ctx) })
		}
	}
}

// Go runs fn on its own goroutine and logs, rather than crashes on, a panic.
func Go(name string, fn func()) {
	go func() {
		defer func() {
			if p := recover(); p != nil {
				log.Printf("background %s panicked: %v\n%s", name, p, debug.Stack())
			}
		}()
		fn()
	}()
}

func writeErr(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	msg := "internal error"
	var he *Error
	if errors.As(err, &he) {
		status, msg = he.Status, he.Msg
	} else {
		log.Printf("handler error: %v", err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}
