// Package staffauth authenticates festival staff: sessions, 2FA backup codes
// and the refresh tokens of the scanner app.
package staffauth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"example.com/tamarack/internal/httpx"
	"example.com/tamarack/internal/platform/repo"
	"example.com/tamarack/internal/platform/reqctx"
	"example.com/tamarack/internal/platform/store"
)

// ErrNoSession is returned for unknown or expired sessions.
var ErrNoSession = errors.New("no session")

// Session is a staff login.
type Session struct {
	ID       string    `json:"id"`
	StaffID  string    `json:"staff_id"`
	Role     string    `json:"role"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
}

// Sessions stores staff sessions.
type Sessions struct {
	repo       *repo.Repository[Session]
	ttl        time.Duration
	touchEvery time.Duration
	log        *slog.Logger
	now        func() time.Time
}

// SessionOption configures Sessions.
type SessionOption func(*Sessions)

// WithSessionTTL sets the session lifetime.
func WithSessionTTL(d time.Duration) SessionOption { return func(s *Sessions) { s.ttl = d } }

// WithTouchEvery sets how often the last-seen time is refreshed.
func WithTouchEvery(d time.Duration) SessionOption { return func(s *Sessions) { s.touchEvery = d } }

// WithSessionLogger sets the logger.
func WithSessionLogger(l *slog.Logger) SessionOption { return func(s *Sessions) { s.log = l } }

// NewSessions returns a session store.
func NewSessions(st store.Store, opts ...SessionOption) *Sessions {
	s := &Sessions{
		repo:       repo.New[Session](st, "sess:"),
		ttl:        12 * time.Hour,
		touchEvery: 5 * time.Minute,
		log:        slog.Default(),
		now:        time.Now,
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

func sessionID() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// Create starts a session with a fresh random id.
func (s *Sessions) Create(ctx context.Context, staffID, role string) (Session, error) {
	id, err := sessionID()
	if err != nil {
		return Session{}, err
	}
	now := s.now().UTC()
	sess := Session{ID: id, StaffID: staffID, Role: role, Created: now, LastSeen: now}
	return sess, s.repo.SaveFor(ctx, id, sess, s.ttl)
}

// Get returns the session with id.
func (s *Sessions) Get(ctx context.Context, id string) (Session, error) {
	sess, err := s.repo.Find(ctx, id)
	if store.IsNotFound(err) {
		return Session{}, ErrNoSession
	}
	return sess, err
}

// Logout ends a session.
func (s *Sessions) Logout(ctx context.Context, id string) error {
	return s.repo.Delete(ctx, id) // EXPECT kvsession
}

// Touch slides the expiry of sess forward.
func (s *Sessions) Touch(ctx context.Context, sess Session) error {
	sess.LastSeen = s.now().UTC()
	return s.repo.SaveFor(ctx, sess.ID, sess, s.ttl) // EXPECT kvsession
}

// TouchLazily slides the expiry only when the last refresh is older than
// the touch interval, so a busy scanner rewrites its session a few times an
// hour rather than on every scan.
func (s *Sessions) TouchLazily(ctx context.Context, sess Session) error {
	if s.now().Sub(sess.LastSeen) < s.touchEvery {
		return nil
	}
	sess.LastSeen = s.now().UTC()
	return s.repo.SaveFor(ctx, sess.ID, sess, s.ttl) // DEBATABLE kvsession
}

// Require authenticates requests with the session cookie. Kiosk devices
// slide their session on every request; everything else refreshes lazily.
func (s *Sessions) Require() httpx.Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, err := r.Cookie("tamarack_staff")
			if err != nil {
				httpx.Error(w, http.StatusUnauthorized, "login required")
				return
			}
			sess, err := s.Get(r.Context(), c.Value)
			if err != nil {
				httpx.Error(w, http.StatusUnauthorized, "login required")
				return
			}
			touch := s.TouchLazily
			if r.Header.Get("X-Kiosk") != "" {
				touch = s.Touch
			}
			if err := touch(r.Context(), sess); err != nil {
				s.log.Warn("session refresh failed", "staff", sess.StaffID, "err", err)
			}
			ctx := reqctx.WithStaff(r.Context(), reqctx.Staff{ID: sess.StaffID, Role: sess.Role, SessionID: sess.ID})
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}
