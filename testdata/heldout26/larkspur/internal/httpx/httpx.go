// Package httpx holds the HTTP plumbing shared by the Worker and the
// backend: a small router, middleware chaining, panic recovery and JSON
// helpers.
package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"runtime/debug"
	"strings"
)

// Middleware wraps a handler.
type Middleware = func(http.Handler) http.Handler

// Chain wraps h so that the first middleware is the outermost.
func Chain(h http.Handler, mws ...Middleware) http.Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

// Recover turns a panic in a handler into a 500 response and reports it.
func Recover(report func(r *http.Request, v any, stack []byte)) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				v := recover()
				if v == nil || v == http.ErrAbortHandler {
					return
				}
				report(r, v, debug.Stack())
				Error(w, http.StatusInternalServerError, "internal error")
			}()
			next.ServeHTTP(w, r)
		})
	}
}

// LogPanics is a Recover report function that writes to the standard logger.
func LogPanics(r *http.Request, v any, stack []byte) {
	log.Printf("panic serving %s %s: %v\n%s", r.Method, r.URL.Path, v, stack)
}

// RequireToken rejects requests whose bearer token is not token.
func RequireToken(token string) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if token == "" || !ok || got != token {
				Error(w, http.StatusUnauthorized, "unauthorized")
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// E adapts a handler that returns an error; errors become 500 responses.
func E(f func(http.ResponseWriter, *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := f(w, r); err != nil {
			Fail(w, err)
		}
	}
}

// ClientIP returns the address Cloudflare saw the request come from.
func ClientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	host, _, _ := strings.Cut(r.RemoteAddr, ":")
	return host
}

// JSON writes v with the given status.
func JSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Error writes a JSON error body.
func Error(w http.ResponseWriter, status int, msg string) {
	JSON(w, status, map[string]string{"error": msg})
}

// Fail logs err and writes a 500.
func Fail(w http.ResponseWriter, err error) {
	log.Printf("request failed: %v", err)
	Error(w, http.StatusInternalServerError, "internal error")
}

// Decode reads a JSON body of at most 1 MiB into v.
func Decode(r *http.Request, v any) error {
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(v); err != nil {
		return fmt.Errorf("decode body: %w", err)
	}
	return nil
}

// PostJSON posts v to url with a bearer token and fails on non-2xx answers.
func PostJSON(ctx context.Context, url, token string, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("POST %s: %s", url, resp.Status)
	}
	return nil
}

type route struct {
	method, pattern string
	prefix          bool
	h               http.Handler
}

// Router dispatches on method and path. A pattern ending in "*" matches
// every path that starts with the rest. Middleware added with Use wraps
// every route.
type Router struct {
	routes []route
	mws    []Middleware
}

// NewRouter returns an empty Router.
func NewRouter() *Router { return &Router{} }

// Use appends middleware. It must be called before serving starts.
func (rt *Router) Use(mws ...Middleware) { rt.mws = append(rt.mws, mws...) }

// Handle registers h for method and pattern.
func (rt *Router) Handle(method, pattern string, h http.Handler) {
	p, prefix := strings.CutSuffix(pattern, "*")
	rt.routes = append(rt.routes, route{method: method, pattern: p, prefix: prefix, h: h})
}

// ServeHTTP implements http.Handler.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	Chain(http.HandlerFunc(rt.dispatch), rt.mws...).ServeHTTP(w, r)
}

func (rt *Router) dispatch(w http.ResponseWriter, r *http.Request) {
	for _, rr := range rt.routes {
		if rr.method == r.Method && (r.URL.Path == rr.pattern || rr.prefix && strings.HasPrefix(r.URL.Path, rr.pattern)) {
			rr.h.ServeHTTP(w, r)
			return
		}
	}
	http.NotFound(w, r)
}

// Tail returns the part of the request path after prefix.
func Tail(r *http.Request, prefix string) string {
	return strings.Trim(strings.TrimPrefix(r.URL.Path, prefix), "/")
}
