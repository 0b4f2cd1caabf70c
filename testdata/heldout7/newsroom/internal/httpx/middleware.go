// Package httpx has the router and middleware shared by every handler.
package httpx

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"example.com/newsroom/internal/store"
)

// Middleware wraps a handler.
type Middleware func(http.Handler) http.Handler

// Chain applies mws so the first one is outermost.
func Chain(h http.Handler, mws ...Middleware) http.Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

// Logger logs method, path, status and latency.
func Logger(log *slog.Logger) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
			next.ServeHTTP(rec, r)
			log.Info("request", "method", r.Method, "path", r.URL.Path, "status", rec.status, "took", time.Since(start))
		})
	}
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

type editorKey struct{}

// WithEditor stores the signed-in editor id on the request context.
func WithEditor(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, editorKey{}, id)
}

// Editor returns the signed-in editor id, if any.
func Editor(ctx context.Context) (string, bool) {
	id, ok := ctx.Value(editorKey{}).(string)
	return id, ok && id != ""
}

// PresenceDeps is what the presence middleware needs.
type PresenceDeps struct {
	Save store.PutFunc
	Log  *slog.Logger
}

// Presence records which editor touched the desk last, for the "who's on"
// widget in the CMS header.
func Presence(d PresenceDeps) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if id, ok := Editor(r.Context()); ok {
				if err := d.Save(r.Context(), "presence:desk", []byte(id+"|"+time.Now().UTC().Format(time.RFC3339))); err != nil { // EXPECT kvhotkey
					d.Log.Warn("presence update failed", "err", err)
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}
