package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"example.com/billing/internal/apikeys"
	"example.com/billing/internal/keys"
	"example.com/billing/internal/sessions"
	"example.com/billing/internal/storage"
)

type middleware func(http.Handler) http.Handler

// chain applies mws so that the first one is outermost.
func chain(h http.HandlerFunc, mws ...middleware) http.Handler {
	var out http.Handler = h
	for i := len(mws) - 1; i >= 0; i-- {
		out = mws[i](out)
	}
	return out
}

type ctxKey int

const (
	ctxSession ctxKey = iota
	ctxAPIKey
)

func sessionFrom(ctx context.Context) (sessions.Session, bool) {
	s, ok := ctx.Value(ctxSession).(sessions.Session)
	return s, ok
}

func keyFrom(ctx context.Context) (apikeys.Record, bool) {
	k, ok := ctx.Value(ctxAPIKey).(apikeys.Record)
	return k, ok
}

func (s *Server) withRecover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				s.deps.Log.Error("panic", "path", r.URL.Path, "value", v)
				writeError(w, http.StatusInternalServerError, "internal error")
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func (s *Server) withRequestLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		next.ServeHTTP(w, r)
		s.deps.Log.Debug("request", "method", r.Method, "path", r.URL.Path, "took", time.Since(start))
	})
}

// withLastSeen records when the API last served traffic; the status page
// reads it to tell "no traffic" from "down".
func (s *Server) withLastSeen(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
		stamp := strconv.FormatInt(time.Now().Unix(), 10)
		if err := s.deps.Store.Put(r.Context(), keys.APILastRequest, []byte(stamp)); err != nil { // EXPECT kvhotkey
			s.deps.Log.Warn("last-seen write", "err", err)
		}
	})
}

func (s *Server) withAPIKey(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secret, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			writeError(w, http.StatusUnauthorized, "missing api key")
			return
		}
		rec, err := s.deps.ResolveKey(r.Context(), secret)
		if errors.Is(err, apikeys.ErrUnknownKey) {
			writeError(w, http.StatusUnauthorized, "invalid api key")
			return
		}
		if err != nil {
			writeError(w, http.StatusServiceUnavailable, "try again")
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxAPIKey, rec)))
	})
}

// withRateLimit allows limits.Requests per limits.Window per customer.
func (s *Server) withRateLimit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec, _ := keyFrom(r.Context())
		window := time.Now().Truncate(s.limits.Window).Unix()
		key := fmt.Sprintf("%s:%s:%d", keys.RateLimit, rec.CustomerID, window)
		hits := 0
		raw, err := s.deps.Store.Get(r.Context(), key)
		switch {
		case err == nil:
			hits, _ = strconv.Atoi(string(raw))
		case !errors.Is(err, storage.ErrNotFound):
			// Fail open: a KV hiccup must not take ingest down.
			s.deps.Log.Warn("rate limit read", "err", err)
			next.ServeHTTP(w, r)
			return
		}
		if hits >= s.limits.Requests {
			w.Header().Set("Retry-After", strconv.Itoa(int(s.limits.Window.Seconds())))
			writeError(w, http.StatusTooManyRequests, "rate limited")
			return
		}
		if err := s.deps.Store.Put(r.Context(), key, []byte(strconv.Itoa(hits+1)), storage.WithTTL(s.limits.Window+time.Minute)); err != nil { // EXPECT kvcounter
			s.deps.Log.Warn("rate limit write", "err", err)
		}
		next.ServeHTTP(w, r)
	})
}

// withSession authenticates portal requests and keeps active sessions alive.
func (s *Server) withSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(s.cookie)
		if err != nil {
			writeError(w, http.StatusUnauthorized, "sign in")
			return
		}
		sess, err := s.deps.LoadSession(r.Context(), c.Value)
		if errors.Is(err, storage.ErrNotFound) {
			writeError(w, http.StatusUnauthorized, "session expired")
			return
		}
		if err != nil {
			writeError(w, http.StatusServiceUnavailable, "try again")
			return
		}
		if err := s.deps.TouchSession(r.Context(), sess); err != nil { // EXPECT kvsession
			s.deps.Log.Warn("session touch", "err", err)
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxSession, sess)))
	})
}
