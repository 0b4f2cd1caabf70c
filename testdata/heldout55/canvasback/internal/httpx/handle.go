// Package httpx adapts plain typed service functions to net/http so that every
// endpoint in the edge Worker and the clinic backend is an ordinary
// func(context.Context, Req) (Resp, error).
package httpx

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"
	"runtime/debug"
	"strings"
)

// StatusError carries an HTTP status out of a service function.
type StatusError struct {
	Code int
	Msg  string
}

func (e *StatusError) Error() string { return e.Msg }

// Error builds a StatusError.
func Error(code int, msg string) error { return &StatusError{Code: code, Msg: msg} }

// Binder is implemented by request types that need data outside the JSON body
// (cookies, headers, query parameters).
type Binder interface {
	Bind(r *http.Request) error
}

// Empty is used for endpoints without a body or without a response.
type Empty struct{}

// Handle decodes Req from the request, calls fn and encodes Resp as JSON.
func Handle[Req, Resp any](fn func(context.Context, Req) (Resp, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req Req
		if r.Body != nil && r.ContentLength != 0 && strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
			if err := dec.Decode(&req); err != nil && !errors.Is(err, io.EOF) {
				writeErr(w, Error(http.StatusBadRequest, "malformed JSON body"))
				return
			}
		}
		if b, ok := any(&req).(Binder); ok {
			if err := b.Bind(r); err != nil {
				writeErr(w, err)
				return
			}
		}
		resp, err := fn(r.Context(), req)
		if err != nil {
			writeErr(w, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_ = json.NewEncoder(w).Encode(resp)
	}
}

func writeErr(w http.ResponseWriter, err error) {
	code := http.StatusInternalServerError
	msg := "internal error"
	var se *StatusError
	if errors.As(err, &se) {
		code, msg = se.Code, se.Msg
	} else {
		log.Printf("httpx: %v", err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

// Go runs fn in the background after the caller has answered the request. The
// request's values are kept but its cancellation is dropped, and a panic in fn
// is logged rather than taking the process down.
func Go(ctx context.Context, name string, fn func(context.Context)) {
	bg := context.WithoutCancel(ctx)
	go func() {
		defer Recover(name)
		fn(bg)
	}()
}

// Recover logs a recovered panic with its stack. Use it as `defer Recover(name)`.
func Recover(name string) {
	if p := recover(); p != nil {
		log.Printf("background %s panicked: %v\n%s", name, p, debug.Stack())
	}
}

// SessionID reads the portal session cookie or bearer header.
func SessionID(r *http.Request) string {
	if c, err := r.Cookie("cb_sess"); err == nil && c.Value != "" {
		return c.Value
	}
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
}
