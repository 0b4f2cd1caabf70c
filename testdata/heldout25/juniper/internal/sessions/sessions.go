// Package sessions keeps organizer dashboard sessions. The package is set up
// once by main with Init; handlers call the package-level functions.
package sessions

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"time"

	"example.com/juniper/internal/codec"
	"example.com/juniper/internal/config"
	"example.com/juniper/internal/domain"
	"example.com/juniper/internal/keys"
	"example.com/juniper/internal/store"
)

// CookieName is the session cookie.
const CookieName = "jn_sess"

// ErrNoSession is returned when the cookie names no live session.
var ErrNoSession = errors.New("sessions: no session")

var (
	sessions store.Store[string, domain.Session]
	cfg      config.SessionCache
)

// Init wires the package to its storage. It must be called before serving.
func Init(raw store.Raw, c config.SessionCache) {
	sessions = store.NewTyped[string](raw, codec.JSON[domain.Session]{}, "")
	cfg = c
}

func newID() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// Create starts a session for a freshly authenticated user.
func Create(ctx context.Context, orgID, userID string, roles []string) (domain.Session, error) {
	now := time.Now()
	s := domain.Session{
		Audit:     domain.Audit{CreatedAt: now, UpdatedAt: now, By: userID},
		ID:        newID(),
		OrgID:     orgID,
		UserID:    userID,
		Roles:     roles,
		LastSeen:  now,
		ExpiresAt: now.Add(cfg.TTL),
	}
	if err := sessions.Put(ctx, keys.Session(s.ID), s, store.WithTTL(max(cfg.TTL, time.Minute))); err != nil {
		return domain.Session{}, err
	}
	return s, nil
}

// Load returns the live session with the given ID.
func Load(ctx context.Context, id string) (domain.Session, error) {
	if id == "" {
		return domain.Session{}, ErrNoSession
	}
	s, ok, err := sessions.Get(ctx, keys.Session(id))
	if err != nil {
		return domain.Session{}, err
	}
	if !ok || time.Now().After(s.ExpiresAt) {
		return domain.Session{}, ErrNoSession
	}
	return s, nil
}

// Logout ends a session.
func Logout(ctx context.Context, id string) error {
	return sessions.Delete(ctx, keys.Session(id)) // EXPECT kvsession
}

// touch records activity so that idle sessions can be told apart.
func touch(ctx context.Context, id string) error {
	s, ok, err := sessions.Get(ctx, keys.Session(id))
	if err != nil || !ok {
		return err
	}
	s.LastSeen = time.Now()
	s.UpdatedAt = s.LastSeen
	ttl := max(time.Until(s.ExpiresAt), 5*time.Second)                // EXPECT kvttl
	return sessions.Put(ctx, keys.Session(id), s, store.WithTTL(ttl)) // EXPECT kvsession
}

type ctxKey struct{}

// FromContext returns the session stored by Middleware.
func FromContext(ctx context.Context) (domain.Session, bool) {
	s, ok := ctx.Value(ctxKey{}).(domain.Session)
	return s, ok
}

// Middleware rejects requests without a live session and records activity
// in the background.
func Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(CookieName)
		if err != nil {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		s, err := Load(r.Context(), c.Value)
		if err != nil {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		ctx := r.Context()
		go func() { _ = touch(context.WithoutCancel(ctx), s.ID) }()
		next.ServeHTTP(w, r.WithContext(context.WithValue(ctx, ctxKey{}, s)))
	})
}

// SetCookie writes the session cookie.
func SetCookie(w http.ResponseWriter, s domain.Session) {
	http.SetCookie(w, &http.Cookie{
		Name:     CookieName,
		Value:    s.ID,
		Path:     "/",
		Expires:  s.ExpiresAt,
		HttpOnly: true,
		Secure:   true,
		SameSite: http.SameSiteLaxMode,
	})
}
