// Package httpx holds the HTTP plumbing shared by the worker and the backend:
// generic JSON adapters around service methods, middleware and errors.
package httpx

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
)

// Error is an error that knows its HTTP status.
type Error struct {
	Status int
	Msg    string
}

func (e *Error) Error() string { return fmt.Sprintf("%d %s", e.Status, e.Msg) }

// Errorf returns an *Error with the given status.
func Errorf(status int, format string, args ...any) error {
	return &Error{Status: status, Msg: fmt.Sprintf(format, args...)}
}

var (
	ErrUnauthorized error = &Error{Status: http.StatusUnauthorized, Msg: "unauthorized"}
	ErrForbidden    error = &Error{Status: http.StatusForbidden, Msg: "forbidden"}
	ErrNotFound     error = &Error{Status: http.StatusNotFound, Msg: "not found"}
	ErrConflict     error = &Error{Status: http.StatusConflict, Msg: "conflict"}
	ErrTooMany      error = &Error{Status: http.StatusTooManyRequests, Msg: "too many requests"}
)

// Request gives adapted handlers path values and headers without handing
// them the whole *http.Request.
type Request struct{ r *http.Request }

func (q Request) Path(name string) string   { return q.r.PathValue(name) }
func (q Request) Header(name string) string { return q.r.Header.Get(name) }

type requestKey struct{}

// FromContext returns the Request a JSON adapter stored in ctx.
func FromContext(ctx context.Context) Request {
	r, _ := ctx.Value(requestKey{}).(*http.Request)
	return Request{r: r}
}

// JSON adapts a service method taking and returning plain values into an
// http.HandlerFunc. An empty body decodes to the zero In.
func JSON[In, Out any](fn func(context.Context, In) (Out, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in In
		if r.Body != nil && r.ContentLength != 0 {
			err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&in)
			if err != nil && !errors.Is(err, io.EOF) {
				WriteError(w, Errorf(http.StatusBadRequest, "bad json: %v", err))
				return
			}
		}
		out, err := fn(context.WithValue(r.Context(), requestKey{}, r), in)
		if err != nil {
			WriteError(w, err)
			return
		}
		status := http.StatusOK
		if r.Method == http.MethodPost {
			status = http.StatusCreated
		}
		WriteJSON(w, status, out)
	}
}

// Get adapts a method that needs only the request, for GET routes.
func Get[Out any](fn func(context.Context, Request) (Out, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		out, err := fn(r.Context(), Request{r: r})
		if err != nil {
			WriteError(w, err)
			return
		}
		WriteJSON(w, http.StatusOK, out)
	}
}

// WriteJSON renders v with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		slog.Warn("encode response", "err", err)
	}
}

// WriteError maps err to a status and renders it.
func WriteError(w http.ResponseWriter, err error) {
	var he *Error
	if !errors.As(err, &he) {
		slog.Error("handler failed", "err", err)
		he = &Error{Status: http.StatusInternalServerError, Msg: "internal error"}
	}
	WriteJSON(w, he.Status, map[string]string{"error": he.Msg})
}

// ClientIP prefers Cloudflare's connecting-IP header.
func ClientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// Middleware wraps a handler.
type Middleware func(http.Handler) http.Handler

// Chain applies mw so that the first one listed runs first.
func Chain(h http.Handler, mw ...Middleware) http.Handler {
	for i := len(mw) - 1; i >= 0; i-- {
		h = mw[i](h)
	}
	return h
}

// Recover turns panics into 500s.
func Recover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				WriteError(w, fmt.Errorf("panic on %s: %v", r.URL.Path, v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}
