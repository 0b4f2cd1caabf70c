package httpapi

import (
	"context"
	"log"
	"net/http"
	"strings"
	"time"

	"example.com/osprey/internal/domain"
	"example.com/osprey/internal/edge"
	"example.com/osprey/internal/ratelimit"
	"example.com/osprey/internal/tokens"
)

type ctxKey int

const sessionCtxKey ctxKey = 1

func sessionFrom(ctx context.Context) (domain.Session, bool) {
	s, ok := ctx.Value(sessionCtxKey).(domain.Session)
	return s, ok
}

// chain applies the middleware in order, outermost first.
func chain(h http.Handler, mws ...func(http.Handler) http.Handler) http.Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

func logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		next.ServeHTTP(w, r)
		log.Printf("%s %s %s", r.Method, r.URL.Path, time.Since(start))
	})
}

// lastSeen records when the API last served a request, for the status page.
func lastSeen(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := []byte(time.Now().UTC().Format(time.RFC3339))
		if err := edge.Put(r.Context(), "api/last-seen", now); err != nil { // EXPECT kvhotkey
			log.Printf("last-seen: %v", err)
		}
		next.ServeHTTP(w, r)
	})
}

// authenticate resolves the session cookie and slides its expiry in the
// background so the request is not slowed down.
func authenticate(s tokens.Sessions) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, err := r.Cookie("osprey_session")
			if err != nil {
				writeErr(w, domain.ErrForbidden)
				return
			}
			ctx := r.Context()
			sess, err := s.Lookup(ctx, c.Value)
			if err != nil {
				writeErr(w, err)
				return
			}
			id := sess.ID
			go func() { _ = s.Touch(context.WithoutCancel(ctx), id) }()
			next.ServeHTTP(w, r.WithContext(context.WithValue(ctx, sessionCtxKey, sess)))
		})
	}
}

// limitProjects applies the per-project request limit to /v1/projects/{id}/...
func limitProjects(l ratelimit.Limiter) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id := r.PathValue("id")
			if id == "" {
				parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/v1/projects/"), "/")
				id = parts[0]
			}
			if id != "" {
				ok, err := l.Allow(r.Context(), id)
				if err != nil {
					writeErr(w, err)
					return
				}
				if !ok {
					writeErr(w, domain.ErrLimited)
					return
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}
