// Package httpx turns typed service methods into HTTP handlers.
package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"
	"runtime/debug"
	"sync"
)

// Empty is used for endpoints without a body.
type Empty struct{}

// Binder is implemented by request types that take fields from the URL or
// headers in addition to the JSON body.
type Binder interface {
	Bind(r *http.Request) error
}

// StatusError carries an HTTP status with a message.
type StatusError struct {
	Code int
	Msg  string
}

func (e *StatusError) Error() string { return e.Msg }

// Errorf-style helpers for services.
var (
	ErrNotFound     = &StatusError{http.StatusNotFound, "not found"}
	ErrConflict     = &StatusError{http.StatusConflict, "conflict"}
	ErrUnauthorized = &StatusError{http.StatusUnauthorized, "unauthorized"}
	ErrTooMany      = &StatusError{http.StatusTooManyRequests, "slow down"}
)

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

type reqKey struct{}

// Request returns the *http.Request that started ctx, if any.
func Request(ctx context.Context) *http.Request {
	r, _ := ctx.Value(reqKey{}).(*http.Request)
	return r
}

// Handle adapts fn to an http.HandlerFunc: it decodes the JSON body into Req,
// binds URL values, calls fn and writes Resp as JSON.
func Handle[Req, Resp any](fn func(context.Context, Req) (Resp, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req Req
		if r.Body != nil && r.ContentLength != 0 {
			if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil && !errors.Is(err, io.EOF) {
				writeErr(w, &StatusError{http.StatusBadRequest, "bad json: " + err.Error()})
				return
			}
		}
		if b, ok := any(&req).(Binder); ok {
			if err := b.Bind(r); err != nil {
				writeErr(w, &StatusError{http.StatusBadRequest, err.Error()})
				return
			}
		}
		ctx := context.WithValue(r.Context(), reqKey{}, r)
		resp, err := fn(ctx, req)
		if err != nil {
			writeErr(w, err)
			return
		}
		buf := bufPool.Get().(*bytes.Buffer)
		buf.Reset()
		defer bufPool.Put(buf)
		if err := json.NewEncoder(buf).Encode(resp); err != nil {
			writeErr(w, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(buf.Bytes())
	}
}

func writeErr(w http.ResponseWriter, err error) {
	code := http.StatusInternalServerError
	var se *StatusError
	if errors.As(err, &se) {
		code = se.Code
	}
	http.Error(w, err.Error(), code)
}

// Go runs fn after the response has been written. It detaches from the
// request's cancellation and recovers panics so a failing side job never takes
// the isolate down.
func Go(ctx context.Context, name string, fn func(ctx context.Context)) {
	ctx = context.WithoutCancel(ctx)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				log.Printf("background %s: panic: %v\n%s", name, p, debug.Stack())
			}
		}()
		fn(ctx)
	}()
}
