// Package daemon holds the HTTP plumbing of the deploy API: middleware,
// authentication and the server loop.
package daemon

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"example.com/deploy/internal/auth"
	"example.com/deploy/internal/tokens"
)

// Middleware wraps a handler.
type Middleware func(http.Handler) http.Handler

// Chain applies mws so that the first one is outermost.
func Chain(h http.Handler, mws ...Middleware) http.Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

type ctxKey int

const (
	tokenKey ctxKey = iota
	sessionKey
)

// TokenFrom returns the CI token attached by RequireToken.
func TokenFrom(ctx context.Context) tokens.Token {
	t, _ := ctx.Value(tokenKey).(tokens.Token)
	return t
}

// SessionFrom returns the operator session attached by RequireSession.
func SessionFrom(ctx context.Context) auth.Session {
	s, _ := ctx.Value(sessionKey).(auth.Session)
	return s
}

// Logging logs one line per request.
func Logging(log *slog.Logger) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			next.ServeHTTP(w, r)
			log.InfoContext(r.Context(), "request", "method", r.Method, "path", r.URL.Path, "took", time.Since(start))
		})
	}
}

// RequireToken authenticates CI callers with a bearer token.
func RequireToken(validate func(context.Context, string) (tokens.Token, error)) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			secret, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			tok, err := validate(r.Context(), secret)
			if err != nil {
				http.Error(w, "invalid token", http.StatusUnauthorized)
				return
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), tokenKey, tok)))
		})
	}
}

// RequireSession authenticates operators by cookie and records activity.
func RequireSession(s *auth.Sessions, log *slog.Logger) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, err := r.Cookie("deploy_session")
			if err != nil {
				http.Error(w, "login required", http.StatusUnauthorized)
				return
			}
			sess, err := s.Lookup(r.Context(), c.Value)
			if err != nil {
				http.Error(w, "login required", http.StatusUnauthorized)
				return
			}
			if err := s.Touch(r.Context(), sess); err != nil {
				log.WarnContext(r.Context(), "session touch", "err", err)
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), sessionKey, sess)))
		})
	}
}

// JSON adapts a function returning a value to an http.Handler. Errors map
// to status codes through status.
func JSON[T any](status func(error) int, fn func(r *http.Request) (T, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := fn(r)
		if err != nil {
			http.Error(w, err.Error(), status(err))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	})
}

// Serve runs handler on addr until ctx is done.
func Serve(ctx context.Context, addr string, handler http.Handler) error {
	srv := &http.Server{Addr: addr, Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.ListenAndServe(); err != http.ErrServerClosed {
		return err
	}
	return nil
}
