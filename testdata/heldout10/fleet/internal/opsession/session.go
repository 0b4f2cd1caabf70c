// Package opsession manages operator console sessions and API token
// revocation.
package opsession

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"example.com/fleet/internal/keys"
	"example.com/fleet/internal/kvstore"
	"example.com/fleet/internal/repo"
)

const cookieName = "fleet_session"

var ErrNoSession = errors.New("opsession: no valid session")

// Session is an operator's console session.
type Session struct {
	ID        string    `json:"id"`
	Operator  string    `json:"operator"`
	Roles     []string  `json:"roles"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
	StepUp    bool      `json:"step_up,omitempty"`
}

type ctxKey struct{}

// Operator returns the operator attached to ctx by the middleware.
func Operator(ctx context.Context) (Session, bool) {
	s, ok := ctx.Value(ctxKey{}).(Session)
	return s, ok
}

// Manager issues and checks sessions.
type Manager struct {
	store    kvstore.Store
	sessions *repo.Repo[Session]
	ttl      time.Duration
	log      *slog.Logger
}

func NewManager(store kvstore.Store, ttl time.Duration, log *slog.Logger) *Manager {
	return &Manager{
		store:    store,
		sessions: repo.New[Session](store, keys.OperatorSess),
		ttl:      ttl,
		log:      log,
	}
}

func randomID() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Login creates a session after the identity provider has authenticated the
// operator.
func (m *Manager) Login(ctx context.Context, w http.ResponseWriter, operator string, roles []string) (Session, error) {
	now := time.Now().UTC()
	s := Session{ID: randomID(), Operator: operator, Roles: roles, CreatedAt: now, LastSeen: now}
	if err := m.sessions.Put(ctx, s.ID, s, kvstore.WithTTL(m.ttl)); err != nil {
		return Session{}, err
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: s.ID, Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode, MaxAge: int(m.ttl.Seconds())})
	return s, nil
}

// Logout ends the session.
func (m *Manager) Logout(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(cookieName)
	if err == nil {
		if err := m.sessions.Delete(r.Context(), c.Value); err != nil { // EXPECT kvsession
			m.log.Warn("logout", "err", err)
		}
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

// StepUp records that the operator re-authenticated with a hardware key; the
// firmware-publish page requires it on the very next request.
func (m *Manager) StepUp(ctx context.Context, sessionID string) error {
	return m.store.Put(ctx, "stepup:"+sessionID, []byte(time.Now().UTC().Format(time.RFC3339)), kvstore.WithTTL(10*time.Minute)) // DEBATABLE kvsession
}

// RevokeToken blocks an operator API token until it would have expired.
func (m *Manager) RevokeToken(ctx context.Context, jti string) error {
	return m.store.Put(ctx, keys.Revoked+jti, []byte("1"), kvstore.WithTTL(m.ttl)) // EXPECT kvsession
}

// Revoked reports whether the token id has been revoked.
func (m *Manager) Revoked(ctx context.Context, jti string) (bool, error) {
	_, err := m.store.Get(ctx, keys.Revoked+jti)
	if errors.Is(err, kvstore.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// Middleware loads the session, attaches it to the request context and
// keeps it alive while the operator is active.
func (m *Manager) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(cookieName)
		if err != nil {
			http.Error(w, ErrNoSession.Error(), http.StatusUnauthorized)
			return
		}
		sess, found, err := m.sessions.Get(r.Context(), c.Value)
		if err != nil {
			http.Error(w, "session store unavailable", http.StatusServiceUnavailable)
			return
		}
		if !found {
			http.Error(w, ErrNoSession.Error(), http.StatusUnauthorized)
			return
		}
		sess.LastSeen = time.Now().UTC()
		defer func() { _ = m.sessions.Put(context.WithoutCancel(r.Context()), sess.ID, sess, kvstore.WithTTL(m.ttl)) }() // EXPECT kvsession
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, sess)))
	})
}
