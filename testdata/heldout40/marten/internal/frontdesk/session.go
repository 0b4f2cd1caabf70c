// Package frontdesk handles front-desk staff logins, sessions and the shift
// handover log.
package frontdesk

import (
	"context"
	"crypto/rand"
	"errors"
	"net"
	"net/http"
	"strings"
	"time"

	"marten/internal/kvstore"
)

// Store is the namespace that holds staff sessions and login bookkeeping.
// cmd/pmsd sets it at start-up.
var Store *kvstore.Store

const (
	sessionTTL    = 12 * time.Hour
	lockoutWindow = 15 * time.Minute
	maxAttempts   = 5
	cookieName    = "fd_session"
)

const (
	profilePrefix  kvstore.Prefix = "staff/profile/"
	handoverPrefix kvstore.Prefix = "staff/handover/"
	attemptsPrefix kvstore.Prefix = "staff/login-attempts/"
)

// SessionKey names one staff session.
type SessionKey struct {
	User string
	ID   string
}

func (k SessionKey) String() string { return "staff/session/" + k.User + "/" + k.ID }

// Cookie renders the key as the value of the session cookie.
func (k SessionKey) Cookie() string { return k.User + "." + k.ID }

func parseCookie(v string) (SessionKey, bool) {
	user, id, ok := strings.Cut(v, ".")
	if !ok || user == "" || id == "" {
		return SessionKey{}, false
	}
	return SessionKey{User: user, ID: id}, true
}

// Session is what a login stores.
type Session struct {
	User     string
	Role     string
	Desk     string
	IP       string
	Created  time.Time
	LastSeen time.Time
}

// Staff is a row of the staff directory.
type Staff struct {
	User     string
	Name     string
	Role     string
	Property string
}

// Directory is the staff table in the property database.
type Directory interface {
	Verify(ctx context.Context, user, password string) (Staff, error)
	Profile(ctx context.Context, user string) (Staff, error)
	SetPassword(ctx context.Context, user, password string) error
}

// Service serves the front-desk login endpoints.
type Service struct {
	dir Directory
}

// NewService returns the login service.
func NewService(dir Directory) *Service { return &Service{dir: dir} }

func newSessionID() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return kvstore.Token(b)
}

func clientIP(r *http.Request) string {
	if v := r.Header.Get("CF-Connecting-IP"); v != "" {
		return v
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

var errNoSession = errors.New("frontdesk: no session")

// authenticate resolves the session cookie and keeps the session alive while
// the desk is in use.
func (s *Service) authenticate(r *http.Request) (Session, SessionKey, error) {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return Session{}, SessionKey{}, errNoSession
	}
	key, ok := parseCookie(c.Value)
	if !ok {
		return Session{}, SessionKey{}, errNoSession
	}
	sess, found, err := kvstore.Load[string, Session](r.Context(), Store, key.String())
	if err != nil {
		return Session{}, key, err
	}
	if !found {
		return Session{}, key, errNoSession
	}
	if time.Since(sess.LastSeen) > 5*time.Minute {
		sess.LastSeen = time.Now()
		if err := kvstore.Keep(r.Context(), Store, key.String(), sess, sessionTTL); err != nil { // EXPECT kvsession|kvrace
			return Session{}, key, err
		}
	}
	return sess, key, nil
}

// profile returns the staff record, cached in KV for ten minutes in front of
// the directory.
func (s *Service) profile(ctx context.Context, user string) (Staff, error) {
	key := profilePrefix.Of(user)
	if st, ok, err := kvstore.Load[string, Staff](ctx, Store, key); err == nil && ok {
		return st, nil
	}
	st, err := s.dir.Profile(ctx, user)
	if err != nil {
		return Staff{}, err
	}
	if err := kvstore.Keep(ctx, Store, key, st, 10*time.Minute); err != nil {
		return st, nil // the cache is best effort
	}
	return st, nil
}
