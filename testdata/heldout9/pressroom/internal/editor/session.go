// Package editor handles editor logins, sessions and API token revocation.
package editor

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"example.com/pressroom/internal/config"
	"example.com/pressroom/internal/keys"
	"example.com/pressroom/internal/repo"
	"example.com/pressroom/internal/store"
)

var (
	ErrBadCredentials = errors.New("editor: bad credentials")
	ErrLocked         = errors.New("editor: too many failed logins, try again later")
	ErrNoSession      = errors.New("editor: no session")
)

// Session is a logged-in editor.
type Session struct {
	ID      string    `json:"id"`
	Editor  string    `json:"editor"`
	Tenant  string    `json:"tenant"`
	Expires time.Time `json:"expires"`
	Seen    time.Time `json:"seen"`
}

// Key is "<editor>:<id>", so all sessions of one editor share a prefix.
func (s Session) Key() string { return s.Editor + ":" + s.ID }

// Cookie is the value stored in the browser.
func (s Session) Cookie() string { return s.Key() }

// Credentials checks passwords against the account database.
type Credentials interface {
	Verify(ctx context.Context, email, password string) (editorID, tenant string, err error)
}

const (
	maxFailures    = 5
	failureWindow  = 15 * time.Minute
	refreshEvery   = 5 * time.Minute
	maxRevokePages = 10
)

// Manager creates, refreshes and ends sessions.
type Manager struct {
	sessions *repo.Repo[Session]
	st       store.Store
	creds    Credentials
	ttl      time.Duration
	now      func() time.Time
	newID    func() string

	// failures bumps and returns the failed-login tally for an address.
	failures func(ctx context.Context, email string) (int, error)
}

// NewManager wires a Manager. cfg.TTL comes from SESSION_TTL (default 12h).
func NewManager(st store.Store, creds Credentials, cfg config.Sessions) *Manager {
	m := &Manager{
		sessions: repo.New[Session](st, keys.Session),
		st:       st,
		creds:    creds,
		ttl:      cfg.TTL,
		now:      time.Now,
		newID:    randomID,
	}
	m.failures = m.tally("login-failures:")
	return m
}

func randomID() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func (m *Manager) tally(prefix string) func(context.Context, string) (int, error) {
	return func(ctx context.Context, email string) (int, error) {
		key := prefix + strings.ToLower(email)
		raw, ok, err := m.st.Get(ctx, key)
		if err != nil {
			return 0, err
		}
		n := 0
		if ok {
			n, _ = strconv.Atoi(raw)
		}
		n++
		if err := m.st.Put(ctx, key, strconv.Itoa(n), store.WithTTL(failureWindow)); err != nil { // EXPECT kvcounter
			return 0, err
		}
		return n, nil
	}
}

func (m *Manager) locked(ctx context.Context, email string) bool {
	raw, ok, err := m.st.Get(ctx, "login-failures:"+strings.ToLower(email))
	if err != nil || !ok {
		return false
	}
	n, _ := strconv.Atoi(raw)
	return n >= maxFailures
}

// Login checks the password and starts a session.
func (m *Manager) Login(ctx context.Context, email, password string) (Session, error) {
	if m.locked(ctx, email) {
		return Session{}, ErrLocked
	}
	editorID, tenant, err := m.creds.Verify(ctx, email, password)
	if errors.Is(err, ErrBadCredentials) {
		if _, terr := m.failures(ctx, email); terr != nil {
			return Session{}, errors.Join(err, terr)
		}
		return Session{}, err
	}
	if err != nil {
		return Session{}, fmt.Errorf("login: %w", err)
	}
	now := m.now()
	sess := Session{ID: m.newID(), Editor: editorID, Tenant: tenant, Expires: now.Add(m.ttl), Seen: now}
	if err := m.sessions.SaveFor(ctx, sess, m.ttl); err != nil { // DEBATABLE kvsession
		return Session{}, fmt.Errorf("login: %w", err)
	}
	return sess, nil
}

// Lookup resolves a session cookie.
func (m *Manager) Lookup(ctx context.Context, cookie string) (Session, error) {
	if cookie == "" || !strings.Contains(cookie, ":") {
		return Session{}, ErrNoSession
	}
	sess, err := m.sessions.Get(ctx, cookie)
	if errors.Is(err, store.ErrNotFound) {
		return Session{}, ErrNoSession
	}
	if err != nil {
		return Session{}, err
	}
	if m.now().After(sess.Expires) {
		return Session{}, ErrNoSession
	}
	return sess, nil
}

// Touch extends an active session so editors are not logged out mid-edit.
func (m *Manager) Touch(ctx context.Context, sess Session) (Session, error) {
	now := m.now()
	if now.Sub(sess.Seen) < refreshEvery {
		return sess, nil
	}
	sess.Seen = now
	sess.Expires = now.Add(m.ttl)
	if err := m.sessions.SaveFor(ctx, sess, m.ttl); err != nil { // EXPECT kvsession
		return sess, err
	}
	return sess, nil
}

// Logout ends one session.
func (m *Manager) Logout(ctx context.Context, sess Session) error {
	return m.sessions.Delete(ctx, sess.Key()) // EXPECT kvsession
}

// RevokeAll ends every session of an editor, e.g. after a password change.
func (m *Manager) RevokeAll(ctx context.Context, editorID string) error {
	prefix := keys.Session + editorID + ":"
	cursor := ""
	for page := 0; page < maxRevokePages; page++ {
		p, err := m.st.List(ctx, prefix, cursor, 5000) // EXPECT kvlimits
		if err != nil {
			return fmt.Errorf("revoke sessions: %w", err)
		}
		for _, k := range p.Keys {
			if err := m.st.Delete(ctx, k); err != nil { // EXPECT kvsession
				return fmt.Errorf("revoke %s: %w", k, err)
			}
		}
		if p.Complete {
			return nil
		}
		cursor = p.Cursor
	}
	return fmt.Errorf("revoke sessions: editor %s has more than %d pages", editorID, maxRevokePages)
}
