// Package operators manages console sessions of fleet operators and the
// single sign-on handshake that creates them.
package operators

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/whinchat/fleet/internal/config"
	"github.com/whinchat/fleet/internal/kvstore"
)

var (
	ErrNoSession = errors.New("operators: no such session")
	ErrExpired   = errors.New("operators: session expired")
	ErrBadState  = errors.New("operators: unknown sign-in state")
)

const (
	stateTTL         = 10 * time.Minute
	sessionListPages = 5
)

// Session is an operator's console session.
type Session struct {
	ID       string    `json:"id"`
	User     string    `json:"user"`
	Tenant   string    `json:"tenant"`
	Role     string    `json:"role"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
	Expires  time.Time `json:"expires"`
}

// signIn is the pending state of an SSO handshake.
type signIn struct {
	Nonce    string    `json:"nonce"`
	ReturnTo string    `json:"return_to"`
	Started  time.Time `json:"started"`
}

func (s signIn) Key() string        { return s.Nonce }
func (s signIn) TTL() time.Duration { return stateTTL }

// Sessions stores sessions as session/<user>/<id>.
type Sessions struct {
	space  kvstore.Space
	states kvstore.Space // auth/state/<nonce>
	ttl    time.Duration
}

// NewSessions returns the session store over the fleet namespace.
func NewSessions(root kvstore.Space, st config.Settings) *Sessions {
	return &Sessions{
		space:  root.Scope("session"),
		states: root.Scope("auth", "state"),
		ttl:    st.SessionTTL,
	}
}

// BeginSignIn records the state of a new SSO handshake and returns the nonce
// to send to the identity provider.
func (m *Sessions) BeginSignIn(ctx context.Context, returnTo string) (string, error) {
	nonce, err := randomID()
	if err != nil {
		return "", err
	}
	if err := kvstore.Save(ctx, m.states, signIn{Nonce: nonce, ReturnTo: returnTo, Started: time.Now().UTC()}); err != nil {
		return "", err
	}
	return nonce, nil
}

// FinishSignIn checks the state returned by the identity provider and
// creates the operator's session.
func (m *Sessions) FinishSignIn(ctx context.Context, nonce, user, tenant, role string) (Session, string, error) {
	st, err := kvstore.Load[signIn](ctx, m.states, nonce)
	if errors.Is(err, kvstore.ErrNotFound) {
		return Session{}, "", ErrBadState
	}
	if err != nil {
		return Session{}, "", err
	}
	if err := m.states.Delete(ctx, nonce); err != nil { // EXPECT kvsession
		return Session{}, "", err
	}
	s, err := m.create(ctx, user, tenant, role)
	return s, st.ReturnTo, err
}

func (m *Sessions) create(ctx context.Context, user, tenant, role string) (Session, error) {
	id, err := randomID()
	if err != nil {
		return Session{}, err
	}
	now := time.Now().UTC()
	s := Session{ID: id, User: user, Tenant: tenant, Role: role, Created: now, LastSeen: now, Expires: now.Add(m.ttl)}
	return s, m.store(ctx, &s)
}

func (m *Sessions) store(ctx context.Context, s *Session) error {
	return kvstore.Save(ctx, m.space.Scope(s.User), sessionRecord{s, m.ttl})
}

// Authenticate resolves a session cookie ("<user>.<id>") and slides the
// session's expiry forward.
func (m *Sessions) Authenticate(ctx context.Context, user, id string) (*Session, error) {
	s, err := kvstore.Load[Session](ctx, m.space.Scope(user), id)
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	if now.After(s.Expires) {
		return nil, ErrExpired
	}
	defer m.store(ctx, &s) // EXPECT kvsession|kvrace
	s.LastSeen = now
	s.Expires = now.Add(m.ttl)
	return &s, nil
}

// Logout ends one session.
func (m *Sessions) Logout(ctx context.Context, user, id string) error {
	return m.space.Scope(user).Delete(ctx, id) // EXPECT kvsession
}

// LogoutEverywhere ends all sessions of a user, after a password change or
// when an administrator locks the account.
func (m *Sessions) LogoutEverywhere(ctx context.Context, user string) (int, error) {
	space := m.space.Scope(user)
	var ids []string
	cursor := ""
	for page := 0; page < sessionListPages; page++ {
		p, err := space.List(ctx, cursor, 1000)
		if err != nil {
			return 0, err
		}
		ids = append(ids, p.Names(space)...)
		if p.Cursor == "" {
			break
		}
		cursor = p.Cursor
	}
	if err := space.DeleteMany(ctx, ids); err != nil { // EXPECT kvsession
		return 0, fmt.Errorf("logout %s: %w", user, err)
	}
	return len(ids), nil
}

// sessionRecord gives a Session its storage key and lifetime.
type sessionRecord struct {
	*Session
	ttl time.Duration
}

func (r sessionRecord) Key() string        { return r.ID }
func (r sessionRecord) TTL() time.Duration { return r.ttl }

func randomID() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
