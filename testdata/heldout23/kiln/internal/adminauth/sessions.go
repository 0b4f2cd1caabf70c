// Package adminauth handles studio admin logins: password and magic-link
// sign-in, sessions, and lockout after repeated failures.
package adminauth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"time"

	"example.com/kiln/internal/kvstore"
	"example.com/kiln/internal/repo"
	"example.com/kiln/internal/ttlpolicy"
)

// Session is a signed-in studio admin.
type Session struct {
	ID        string    `json:"id"`
	AdminID   string    `json:"admin_id"`
	StudioID  string    `json:"studio_id"`
	CreatedAt time.Time `json:"created_at"`
	SeenAt    time.Time `json:"seen_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// SessionRepo stores sessions under "sess:".
type SessionRepo struct {
	*repo.Base[Session]
}

// NewSessionRepo returns a session repository whose records live for ttl.
func NewSessionRepo(b *kvstore.Bucket, ttl time.Duration) *SessionRepo {
	return &SessionRepo{repo.NewBase[Session](b, "sess:", repo.WithTTL(ttl))}
}

// ErrNoSession is returned when the request carries no valid session.
var ErrNoSession = errors.New("adminauth: no session")

const cookieName = "kiln_admin"

func newID() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// Start creates a session for an admin who just proved their identity.
func (s *Service) Start(ctx context.Context, w http.ResponseWriter, adminID, studioID string) (*Session, error) {
	now := s.now()
	sess := &Session{
		ID:        newID(),
		AdminID:   adminID,
		StudioID:  studioID,
		CreatedAt: now,
		SeenAt:    now,
		ExpiresAt: now.Add(s.lifetime),
	}
	if err := s.sessions.Save(ctx, sess.ID, sess); err != nil {
		return nil, err
	}
	http.SetCookie(w, &http.Cookie{
		Name:     cookieName,
		Value:    sess.ID,
		Path:     "/admin",
		Expires:  sess.ExpiresAt,
		HttpOnly: true,
		Secure:   true,
		SameSite: http.SameSiteLaxMode,
	})
	return sess, nil
}

// Current loads the session named by the request cookie.
func (s *Service) Current(r *http.Request) (*Session, error) {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return nil, ErrNoSession
	}
	sess, err := s.sessions.Load(r.Context(), c.Value)
	if errors.Is(err, repo.ErrNotFound) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, err
	}
	if s.now().After(sess.ExpiresAt) {
		return nil, ErrNoSession
	}
	_, err = s.bucket.Get(r.Context(), "revoked:"+sess.ID)
	if err == nil {
		return nil, ErrNoSession
	}
	if !kvstore.IsNotFound(err) {
		return nil, err
	}
	return sess, nil
}

// Logout ends the current session.
func (s *Service) Logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(cookieName); err == nil {
		_ = s.sessions.Remove(r.Context(), c.Value) // EXPECT kvsession
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/admin", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

// Require rejects requests without a session and keeps active sessions
// alive by pushing their expiry forward.
func (s *Service) Require(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess, err := s.Current(r)
		if err != nil {
			http.Error(w, "sign in required", http.StatusUnauthorized)
			return
		}
		now := s.now()
		sess.SeenAt = now
		sess.ExpiresAt = now.Add(s.lifetime)
		if err := s.sessions.Save(r.Context(), sess.ID, sess); err != nil { // EXPECT kvsession
			http.Error(w, "session store unavailable", http.StatusServiceUnavailable)
			return
		}
		next.ServeHTTP(w, r.WithContext(withSession(r.Context(), sess)))
	})
}

// RequireQuiet is Require for read-only dashboards: it refreshes the session
// at most every few hours instead of on each request.
func (s *Service) RequireQuiet(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess, err := s.Current(r)
		if err != nil {
			http.Error(w, "sign in required", http.StatusUnauthorized)
			return
		}
		now := s.now()
		if now.Sub(sess.SeenAt) > s.lifetime/2 {
			sess.SeenAt = now
			sess.ExpiresAt = now.Add(s.lifetime)
			_ = s.sessions.Save(r.Context(), sess.ID, sess) // DEBATABLE kvsession
		}
		next.ServeHTTP(w, r.WithContext(withSession(r.Context(), sess)))
	})
}

// RevokeAll ends every session of an admin after a password change, by
// recording the session ids in the revocation list that Current checks.
func (s *Service) RevokeAll(ctx context.Context, adminID string, sessionIDs []string) error {
	for _, id := range sessionIDs {
		err := s.bucket.Entry("revoked:" + id).String(adminID).TTL(ttlpolicy.SessionLifetime).Put(ctx) // EXPECT kvsession
		if err != nil {
			return err
		}
	}
	return nil
}

type sessionCtxKey struct{}

func withSession(ctx context.Context, s *Session) context.Context {
	return context.WithValue(ctx, sessionCtxKey{}, s)
}

// FromContext returns the session attached by Require.
func FromContext(ctx context.Context) (*Session, bool) {
	s, ok := ctx.Value(sessionCtxKey{}).(*Session)
	return s, ok
}
