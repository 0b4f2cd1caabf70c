// Package auth handles dashboard sign-in: sessions, magic links, the GitHub
// OAuth flow and failed-login throttling.
package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/quetzal-analytics/quetzal/internal/kvstore"
)

// ErrNoSession is returned for unknown or expired sessions.
var ErrNoSession = errors.New("auth: no session")

// ErrLocked is returned when too many sign-ins failed recently.
var ErrLocked = errors.New("auth: too many attempts")

const (
	magicLinkTTL  = 15 * time.Minute
	oauthStateTTL = 10 * time.Minute
	lockoutWindow = 15 * time.Minute
	maxAttempts   = 5
)

// Session is a signed-in dashboard user.
type Session struct {
	ID       string    `json:"id"`
	UserID   string    `json:"uid"`
	CSRF     string    `json:"csrf"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
}

// Manager stores sessions and sign-in state in KV.
type Manager struct {
	st       *kvstore.Store
	lifetime time.Duration
	log      *slog.Logger
}

// NewManager returns a Manager whose sessions live for lifetime.
func NewManager(st *kvstore.Store, lifetime time.Duration, log *slog.Logger) *Manager {
	return &Manager{st: st, lifetime: lifetime, log: log}
}

func sessionKey(id string) string          { return "sess:" + id }
func userSessionKey(uid, id string) string { return "sess-by-user:" + uid + ":" + id }

// Start creates a session for uid.
func (m *Manager) Start(ctx context.Context, uid string) (Session, error) {
	now := time.Now().UTC()
	s := Session{ID: token(32), UserID: uid, CSRF: token(16), Created: now, LastSeen: now}
	b, _ := json.Marshal(s)
	if err := m.st.Put(ctx, sessionKey(s.ID), b, m.lifetime); err != nil {
		return Session{}, err
	}
	if err := m.st.Put(ctx, userSessionKey(uid, s.ID), nil, m.lifetime); err != nil {
		return Session{}, err
	}
	m.log.InfoContext(ctx, "session.started", "actor", uid)
	return s, nil
}

// Load returns the session with the given ID.
func (m *Manager) Load(ctx context.Context, id string) (Session, error) {
	b, err := m.st.Get(ctx, sessionKey(id))
	if errors.Is(err, kvstore.ErrNotFound) {
		return Session{}, ErrNoSession
	}
	if err != nil {
		return Session{}, err
	}
	var s Session
	if err := json.Unmarshal(b, &s); err != nil {
		return Session{}, err
	}
	return s, nil
}

// Touch extends a session on activity.
func (m *Manager) Touch(ctx context.Context, s *Session) error {
	if time.Since(s.LastSeen) < time.Minute {
		return nil
	}
	s.LastSeen = time.Now().UTC()
	b, _ := json.Marshal(s)
	return m.st.Put(ctx, sessionKey(s.ID), b, m.lifetime) // EXPECT kvsession
}

// End signs a session out.
func (m *Manager) End(ctx context.Context, s Session) error {
	if err := m.st.Delete(ctx, sessionKey(s.ID)); err != nil { // EXPECT kvsession
		return err
	}
	_ = m.st.Delete(ctx, userSessionKey(s.UserID, s.ID))
	m.log.InfoContext(ctx, "session.ended", "actor", s.UserID)
	return nil
}

// EndAll signs out every session of uid, after a password change.
func (m *Manager) EndAll(ctx context.Context, uid string) (int, error) {
	keys, _, err := m.st.List(ctx, "sess-by-user:"+uid+":", "", 1000) // EXPECT kvlist
	if err != nil {
		return 0, err
	}
	n := 0
	for _, k := range keys {
		id := k.Name[len("sess-by-user:"+uid+":"):]
		if err := m.st.Delete(ctx, sessionKey(id)); err != nil { // EXPECT kvsession
			return n, err
		}
		n++
	}
	m.log.InfoContext(ctx, "session.ended_all", "actor", uid, "count", n)
	return n, nil
}

// SendMagicLink stores a one-time sign-in token for email and returns it.
func (m *Manager) SendMagicLink(ctx context.Context, email string) (string, error) {
	tok := token(32)
	if err := m.st.Put(ctx, "magic:"+tok, []byte(email), magicLinkTTL); err != nil {
		return "", err
	}
	return tok, nil
}

// RedeemMagicLink exchanges a magic-link token for the email it was sent to.
func (m *Manager) RedeemMagicLink(ctx context.Context, tok string) (string, error) {
	b, err := m.st.Get(ctx, "magic:"+tok)
	if errors.Is(err, kvstore.ErrNotFound) {
		return "", ErrNoSession
	}
	if err != nil {
		return "", err
	}
	if err := m.st.Delete(ctx, "magic:"+tok); err != nil { // EXPECT kvsession
		return "", err
	}
	return string(b), nil
}

// BeginOAuth records the state parameter of a GitHub sign-in.
func (m *Manager) BeginOAuth(ctx context.Context, returnTo string) (string, error) {
	state := token(16)
	return state, m.st.Put(ctx, "oauth-state:"+state, []byte(returnTo), oauthStateTTL)
}

// FinishOAuth checks the state parameter and returns where to send the user.
func (m *Manager) FinishOAuth(ctx context.Context, state string) (string, error) {
	b, err := m.st.Get(ctx, "oauth-state:"+state)
	if err != nil {
		return "", fmt.Errorf("oauth state: %w", err)
	}
	_ = m.st.Delete(ctx, "oauth-state:"+state) // EXPECT kvsession
	return string(b), nil
}

// RevokeToken puts a signed API token on the deny list until it expires.
func (m *Manager) RevokeToken(ctx context.Context, jti string, exp time.Time) error {
	return m.st.PutUntil(ctx, "revoked-token:"+jti, []byte("1"), exp) // EXPECT kvsession
}

// CheckLock refuses sign-in for an email with too many recent failures.
func (m *Manager) CheckLock(ctx context.Context, email string) error {
	b, err := m.st.Get(ctx, "login-attempts:"+email)
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if n, _ := strconv.Atoi(string(b)); n >= maxAttempts {
		return ErrLocked
	}
	return nil
}

// RecordFailure notes a failed sign-in for email.
func (m *Manager) RecordFailure(ctx context.Context, email string) error {
	n := 0
	b, err := m.st.Get(ctx, "login-attempts:"+email)
	switch {
	case err == nil:
		n, _ = strconv.Atoi(string(b))
	case !errors.Is(err, kvstore.ErrNotFound):
		return err
	}
	return m.st.Put(ctx, "login-attempts:"+email, []byte(strconv.Itoa(n+1)), lockoutWindow) // EXPECT kvcounter|kvrace
}

// LogSignIn keeps the recent sign-in history of a user for the account page.
func (m *Manager) LogSignIn(ctx context.Context, uid, ip string) error {
	line := time.Now().UTC().Format(time.RFC3339) + " " + ip
	return m.st.AppendLine(ctx, "signins:"+uid, line, 30*24*time.Hour)
}

func token(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
