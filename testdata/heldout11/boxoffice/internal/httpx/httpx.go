// Package httpx holds the small HTTP toolkit shared by the handlers:
// middleware chaining, a method+path router, JSON helpers and error mapping.
package httpx

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"example.com/boxoffice/internal/storage"
)

// Handler is an HTTP handler that returns an error instead of writing one.
type Handler func(w http.ResponseWriter, r *http.Request) error

// Middleware wraps a Handler.
type Middleware func(Handler) Handler

// Chain applies mws so that the first one is outermost.
func Chain(h Handler, mws ...Middleware) Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

// Error is an error with an HTTP status.
type Error struct {
	Status int
	Msg    string
	Err    error
}

func (e *Error) Error() string {
	if e.Err == nil {
		return e.Msg
	}
	return e.Msg + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an *Error.
func Errorf(status int, msg string) *Error { return &Error{Status: status, Msg: msg} }

// Wrap attaches a status to err.
func Wrap(status int, msg string, err error) *Error {
	return &Error{Status: status, Msg: msg, Err: err}
}

// Router dispatches on "METHOD /path" and falls back to prefix routes.
type Router struct {
	exact    map[string]Handler
	prefixes map[string]Handler
	Log      *slog.Logger
}

// NewRouter returns an empty router.
func NewRouter(log *slog.Logger) *Router {
	return &Router{exact: map[string]Handler{}, prefixes: map[string]Handler{}, Log: log}
}

// Handle registers h for method and exact path.
func (rt *Router) Handle(method, path string, h Handler) { rt.exact[method+" "+path] = h }

// HandlePrefix registers h for every path under prefix.
func (rt *Router) HandlePrefix(method, prefix string, h Handler) {
	rt.prefixes[method+" "+prefix] = h
}

func (rt *Router) lookup(r *http.Request) Handler {
	if h, ok := rt.exact[r.Method+" "+r.URL.Path]; ok {
		return h
	}
	best := ""
	for p := range rt.prefixes {
		method, prefix, _ := strings.Cut(p, " ")
		if method == r.Method && strings.HasPrefix(r.URL.Path, prefix) && len(p) > len(best) {
			best = p
		}
	}
	if best == "" {
		return nil
	}
	return rt.prefixes[best]
}

// ServeHTTP implements http.Handler.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := rt.lookup(r)
	if h == nil {
		WriteJSON(w, http.StatusNotFound, map[string]string{"error": "not found"})
		return
	}
	if err := h(w, r); err != nil {
		rt.fail(w, r, err)
	}
}

func (rt *Router) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusInternalServerError
	msg := "internal error"
	var he *Error
	var op *storage.OpError
	switch {
	case errors.As(err, &he):
		status, msg = he.Status, he.Msg
	case errors.Is(err, storage.ErrNotFound):
		status, msg = http.StatusNotFound, "not found"
	case errors.As(err, &op):
		status, msg = http.StatusBadGateway, "storage unavailable"
	case errors.Is(err, context.DeadlineExceeded):
		status, msg = http.StatusGatewayTimeout, "timeout"
	}
	if status >= 500 && rt.Log != nil {
		rt.Log.Error("request failed", "path", r.URL.Path, "err", err)
	}
	WriteJSON(w, status, map[string]string{"error": msg})
}

// WriteJSON writes v with status.
func WriteJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

// ReadJSON decodes the request body into v.
func ReadJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return Wrap(http.StatusBadRequest, "invalid body", err)
	}
	return nil
}

// ClientIP returns the caller's address as reported by Cloudflare.
func ClientIP(r *http.Request) string { return r.Header.Get("CF-Connecting-IP") }

// PathTail returns the path after prefix, without a trailing slash.
func PathTail(r *http.Request, prefix string) string {
	return strings.Trim(strings.TrimPrefix(r.URL.Path, prefix), "/")
}

type ctxKey int

const accountKey ctxKey = iota

// WithAccount records the authenticated account on the request context.
func WithAccount(ctx context.Context, accountID string) context.Context {
	return context.WithValue(ctx, accountKey, accountID)
}

// Account returns the authenticated account, if any.
func Account(ctx context.Context) (string, bool) {
	id, ok := ctx.Value(accountKey).(string)
	return id, ok && id != ""
}
