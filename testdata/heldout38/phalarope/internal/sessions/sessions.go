// Package sessions keeps dashboard and CLI sessions, refresh tokens and the
// short-lived state of the "Sign in with GitHub" flow.
package sessions

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"github.com/tollgate-dev/phalarope/internal/clock"
	"github.com/tollgate-dev/phalarope/internal/kv"
)

const (
	sessionPrefix kv.Prefix = "sess:"
	refreshPrefix kv.Prefix = "refresh:"
	oauthPrefix   kv.Prefix = "oauth:state:"
	noncePrefix   kv.Prefix = "cli:nonce:"

	sessionIdle   = 7 * 24 * time.Hour
	refreshLife   = 30 * 24 * time.Hour
	oauthStateTTL = 10 * time.Minute
	walkPages     = 20
)

// ErrNoSession is returned for unknown or expired sessions.
var ErrNoSession = errors.New("sessions: no session")

// Session is a signed-in browser or CLI.
type Session struct {
	ID        string    `json:"id"`
	UserID    string    `json:"user_id"`
	CSRF      string    `json:"csrf"`
	CreatedAt time.Time `json:"created_at"`
	SeenAt    time.Time `json:"seen_at"`
}

func (s Session) Key() string        { return sessionPrefix.Key(s.UserID, s.ID) }
func (s Session) TTL() time.Duration { return sessionIdle }

// RefreshToken lets the CLI obtain a new session without a browser.
type RefreshToken struct {
	Token     string `json:"token"`
	UserID    string `json:"user_id"`
	SessionID string `json:"session_id"`
}

func (r RefreshToken) Key() string        { return refreshPrefix.Key(r.Token) }
func (r RefreshToken) TTL() time.Duration { return refreshLife }

// LoginNonce binds the CLI's loopback listener to the browser redirect.
type LoginNonce struct {
	Nonce string `json:"nonce"`
	Port  int    `json:"port"`
}

func (n LoginNonce) Key() string { return noncePrefix.Key(n.Nonce) }

// TTL is short: the CLI waits on the loopback port for at most this long.
func (n LoginNonce) TTL() time.Duration {
	return 30 * time.Second // EXPECT kvttl
}

// Manager stores sessions.
type Manager struct {
	KV    *kv.Client
	NS    kv.Namespace
	Clock clock.Clock
	Log   *slog.Logger
}

func randomID(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("sessions: entropy: %v", err))
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Create starts a session for userID and returns it with a refresh token.
func (m *Manager) Create(ctx context.Context, userID string) (Session, RefreshToken, error) {
	t := m.Clock.Now().UTC()
	sess := Session{ID: randomID(24), UserID: userID, CSRF: randomID(16), CreatedAt: t, SeenAt: t}
	if err := kv.Save(ctx, m.KV, m.NS, sess); err != nil {
		return Session{}, RefreshToken{}, err
	}
	rt := RefreshToken{Token: randomID(32), UserID: userID, SessionID: sess.ID}
	if err := kv.Save(ctx, m.KV, m.NS, rt); err != nil {
		return Session{}, RefreshToken{}, err
	}
	return sess, rt, nil
}

// Resolve returns the session for the cookie value userID.sessionID and
// pushes its idle expiry forward.
func (m *Manager) Resolve(ctx context.Context, userID, id string) (Session, error) {
	sess, err := kv.Load[Session](ctx, m.KV, m.NS, sessionPrefix.Key(userID, id))
	if errors.Is(err, kv.ErrNotFound) {
		return Session{}, ErrNoSession
	}
	if err != nil {
		return Session{}, err
	}
	defer func() {
		if m.Clock.Now().Sub(sess.SeenAt) < time.Minute {
			return
		}
		sess.SeenAt = m.Clock.Now().UTC()
		if err := m.NS.Writer(m.KV).JSON(ctx, sess.Key(), sess, sessionIdle); err != nil { // EXPECT kvsession
			m.Log.Warn("extend session", "err", err)
		}
	}()
	return sess, nil
}

// Logout ends one session.
func (m *Manager) Logout(ctx context.Context, userID, id string) error {
	return m.NS.Delete(ctx, m.KV, sessionPrefix.Key(userID, id)) // EXPECT kvsession
}

// LogoutEverywhere ends every session of userID, e.g. after a password change.
func (m *Manager) LogoutEverywhere(ctx context.Context, userID string) error {
	var keys []string
	done, err := kv.Prefix(sessionPrefix.Key(userID, "")).Walk(ctx, m.KV, m.NS, walkPages, func(k cloudflare.StorageKey) error {
		keys = append(keys, k.Name)
		return nil
	})
	if err != nil {
		return err
	}
	if !done {
		m.Log.Warn("logout everywhere: session listing truncated", "user", userID)
	}
	return m.NS.DeleteKeys(ctx, m.KV, keys) // EXPECT kvsession
}

// Refresh rotates a refresh token: the old one stops working and a new
// session and token are issued.
func (m *Manager) Refresh(ctx context.Context, token string) (Session, RefreshToken, error) {
	old, err := kv.Load[RefreshToken](ctx, m.KV, m.NS, refreshPrefix.Key(token))
	if errors.Is(err, kv.ErrNotFound) {
		return Session{}, RefreshToken{}, ErrNoSession
	}
	if err != nil {
		return Session{}, RefreshToken{}, err
	}
	sess, rt, err := m.Create(ctx, old.UserID)
	if err != nil {
		return Session{}, RefreshToken{}, err
	}
	if err := kv.Forget(ctx, m.KV, m.NS, old); err != nil { // EXPECT kvsession
		m.Log.Warn("rotate refresh token", "err", err)
	}
	return sess, rt, nil
}

// BeginOAuth stores the state parameter for a GitHub sign-in.
func (m *Manager) BeginOAuth(ctx context.Context, returnTo string) (string, error) {
	state := randomID(24)
	return state, m.NS.PutTTL(ctx, m.KV, oauthPrefix.Key(state), []byte(returnTo), oauthStateTTL)
}

// CompleteOAuth checks the state parameter GitHub sends back and returns
// the page the user started from.
func (m *Manager) CompleteOAuth(ctx context.Context, state string) (string, error) {
	returnTo, err := m.NS.Get(ctx, m.KV, oauthPrefix.Key(state))
	if errors.Is(err, kv.ErrNotFound) {
		return "", ErrNoSession
	}
	if err != nil {
		return "", err
	}
	if err := m.NS.Delete(ctx, m.KV, oauthPrefix.Key(state)); err != nil { // EXPECT kvsession
		return "", err
	}
	return string(returnTo), nil
}

// RegisterNonce remembers the loopback port of a CLI waiting for a browser
// redirect.
func (m *Manager) RegisterNonce(ctx context.Context, port int) (string, error) {
	n := LoginNonce{Nonce: randomID(16), Port: port}
	return n.Nonce, kv.Save(ctx, m.KV, m.NS, n)
}
