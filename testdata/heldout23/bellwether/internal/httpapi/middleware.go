package httpapi

import (
	"log"
	"net/http"
	"time"

	"example.com/bellwether/internal/sessions"
)

type middleware func(http.Handler) http.Handler

// chain wraps h so the first middleware is outermost.
func chain(h http.Handler, mws ...middleware) http.Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

func requestLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		next.ServeHTTP(w, r)
		log.Printf("%s %s %s", r.Method, r.URL.Path, time.Since(start).Round(time.Millisecond))
	})
}

func (a *API) rateLimited(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		site := r.PathValue("site")
		if site == "" {
			site = r.Header.Get("X-Embed-Site")
		}
		ok, err := a.limiter.Allow(r.Context(), site)
		if err != nil {
			log.Printf("ratelimit %s: %v", site, err)
		}
		if !ok {
			w.Header().Set("Retry-After", "30")
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		next.ServeHTTP(w, r)
	})
}

type sessionHandler func(http.ResponseWriter, *http.Request, sessions.Session)

// withSession loads the respondent's session and keeps it alive while they
// are active.
func (a *API) withSession(h sessionHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := a.sessions.Get(r.Context(), r.PathValue("sid"))
		if err != nil {
			writeErr(w, err)
			return
		}
		if s.Site != r.PathValue("site") {
			http.Error(w, "session belongs to another site", http.StatusForbidden)
			return
		}
		s.ExpiresAt = time.Now().UTC().Add(a.sessions.TTL())
		if err := a.sessions.Persist(r.Context(), s); err != nil { // EXPECT kvsession
			writeErr(w, err)
			return
		}
		h(w, r, s)
	})
}
