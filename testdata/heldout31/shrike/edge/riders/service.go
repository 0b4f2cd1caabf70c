//go:build js && wasm

// Package riders handles rider sign-in through the community identity
// provider, sessions, token refresh and the rider profile.
package riders

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare"

	"example.com/shrike/edge/kvx"
	"example.com/shrike/internal/config"
	"example.com/shrike/internal/kvop"
	"example.com/shrike/internal/ports"
	"example.com/shrike/internal/tokens"
)

const Cookie = "sid"

const (
	stateTTL   = 10 * time.Minute
	refreshTTL = 30 * 24 * time.Hour
)

type Deps struct {
	Sessions ports.SessionStore
	Revoked  ports.RevocationList
	// Auth executes operations on the auth namespace (OAuth state).
	Auth kvop.Exec
	// Tokens is the namespace holding refresh-token records.
	Tokens *cloudflare.KVNamespace
	// Profiles holds rider profile documents.
	Profiles *kvx.Namespace
	Provider tokens.Endpoint
	Signer   *tokens.Signer
	Config   config.Edge
	Now      ports.Clock
	Log      *slog.Logger
}

type Service struct {
	d Deps
}

func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Service{d: d}
}

func (s *Service) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /auth/login", s.login)
	mux.HandleFunc("GET /auth/callback", s.callback)
	mux.HandleFunc("POST /auth/refresh", s.refresh)
	mux.Handle("POST /auth/logout", s.RequireSession(http.HandlerFunc(s.logout)))
	mux.Handle("POST /auth/password", s.RequireSession(http.HandlerFunc(s.passwordChanged)))
	mux.Handle("GET /me", s.RequireSession(http.HandlerFunc(s.me)))
	mux.Handle("PATCH /me", s.RequireSession(http.HandlerFunc(s.patchProfile)))
}

type sessionKey struct{}

func SessionFrom(ctx context.Context) (ports.Session, bool) {
	s, ok := ctx.Value(sessionKey{}).(ports.Session)
	return s, ok
}

// RequireSession rejects requests without a live session and slides the
// session's expiry forward on every request.
func (s *Service) RequireSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(Cookie)
		if err != nil {
			http.Error(w, "sign in required", http.StatusUnauthorized)
			return
		}
		ctx := r.Context()
		sess, err := s.d.Sessions.Load(ctx, c.Value)
		if err != nil {
			http.Error(w, "sign in required", http.StatusUnauthorized)
			return
		}
		now := s.d.Now()
		if now.After(sess.Expires.Time) {
			http.Error(w, "session expired", http.StatusUnauthorized)
			return
		}
		idle := s.d.Config.SessionIdle.D()
		sess.Expires.Time = now.Add(idle)
		if err := s.d.Sessions.Save(ctx, sess, idle); err != nil { // EXPECT kvsession
			s.d.Log.Warn("slide session", "err", err)
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(ctx, sessionKey{}, sess)))
	})
}
