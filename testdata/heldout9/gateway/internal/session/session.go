// Package session handles operator sign-in to the control-plane console.
package session

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"example.com/gateway/internal/keys"
	"example.com/gateway/internal/reqctx"
	"example.com/gateway/internal/store"
)

var (
	ErrNoSession = errors.New("session: not signed in")
	ErrBadState  = errors.New("session: unknown or expired sso state")
)

// Session is an operator's console session.
type Session struct {
	ID        string    `json:"id"`
	Operator  string    `json:"operator"`
	Roles     []string  `json:"roles"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
}

// ttlFor returns the lifetime function for a kind of record.
func ttlFor(kind string) func() time.Duration {
	switch kind {
	case "sso":
		return func() time.Duration { return 10 * time.Minute }
	case "session":
		return func() time.Duration { return 12 * time.Hour }
	default:
		return func() time.Duration { return time.Hour }
	}
}

// Manager creates and checks sessions.
type Manager struct {
	st      store.Store
	idle    time.Duration
	lifeFor func(kind string) func() time.Duration
}

// NewManager returns a Manager; idle is the sliding inactivity timeout.
func NewManager(st store.Store, idle time.Duration) *Manager {
	return &Manager{st: st, idle: idle, lifeFor: ttlFor}
}

func randomID() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func sessionKey(id string) string { return keys.SessionPrefix + id }

// Create starts a session for operator.
func (m *Manager) Create(ctx context.Context, operator string, roles []string) (Session, error) {
	now := time.Now().UTC()
	s := Session{ID: randomID(), Operator: operator, Roles: roles, CreatedAt: now, LastSeen: now}
	b, err := json.Marshal(s)
	if err != nil {
		return Session{}, err
	}
	meta := map[string]any{"op": operator}
	err = m.st.Put(ctx, sessionKey(s.ID), b, store.WithTTL(m.lifeFor("session")()), store.WithMetadata(meta))
	return s, err
}

// Middleware loads the session from the cookie, refreshes its idle timer
// and puts the operator into the request context.
func (m *Manager) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie("gw_console")
		if err != nil {
			http.Error(w, ErrNoSession.Error(), http.StatusUnauthorized)
			return
		}
		ctx := r.Context()
		raw, err := m.st.Get(ctx, sessionKey(c.Value))
		if errors.Is(err, store.ErrNotFound) {
			http.Error(w, ErrNoSession.Error(), http.StatusUnauthorized)
			return
		}
		if err != nil {
			http.Error(w, "session store unavailable", http.StatusServiceUnavailable)
			return
		}
		var s Session
		if err := json.Unmarshal(raw, &s); err != nil {
			http.Error(w, ErrNoSession.Error(), http.StatusUnauthorized)
			return
		}
		s.LastSeen = time.Now().UTC()
		if b, err := json.Marshal(s); err == nil {
			_ = m.st.Put(ctx, sessionKey(s.ID), b, store.WithTTL(m.idle), store.WithMetadata(map[string]any{"op": s.Operator})) // EXPECT kvsession
		}
		next.ServeHTTP(w, r.WithContext(reqctx.WithOperator(ctx, s.Operator)))
	})
}

// Logout ends the session.
func (m *Manager) Logout(ctx context.Context, id string) error {
	return m.st.Delete(ctx, sessionKey(id)) // EXPECT kvsession
}

// RevokeOperator signs an operator out everywhere, e.g. when they leave
// the on-call rotation or their SSO account is disabled.
func (m *Manager) RevokeOperator(ctx context.Context, operator string) (int, error) {
	revoked := 0
	q := store.Query{Prefix: keys.SessionPrefix, Limit: 1000}
	for pages := 0; pages < 50; pages++ {
		page, err := m.st.List(ctx, q)
		if err != nil {
			return revoked, err
		}
		for _, k := range page.Keys {
			if op, _ := k.Metadata["op"].(string); op != operator {
				continue
			}
			if err := m.st.Delete(ctx, k.Name); err != nil { // EXPECT kvsession
				return revoked, err
			}
			revoked++
		}
		if page.Complete {
			return revoked, nil
		}
		q.Cursor = page.Cursor
	}
	return revoked, fmt.Errorf("revoke %s: too many sessions", operator)
}

// BeginSSO stores the OAuth state for the redirect to the identity provider.
func (m *Manager) BeginSSO(ctx context.Context, returnTo string) (string, error) {
	state := randomID()
	err := m.st.Put(ctx, keys.SSOStatePrefix+state, []byte(returnTo), store.WithTTL(m.lifeFor("sso")()))
	return state, err
}

// CompleteSSO checks the state returned by the identity provider and
// returns where to send the operator.
func (m *Manager) CompleteSSO(ctx context.Context, state string) (string, error) {
	raw, err := m.st.Get(ctx, keys.SSOStatePrefix+state)
	if errors.Is(err, store.ErrNotFound) {
		return "", ErrBadState
	}
	if err != nil {
		return "", err
	}
	if err := m.st.Delete(ctx, keys.SSOStatePrefix+state); err != nil { // EXPECT kvsession
		return "", err
	}
	return string(raw), nil
}
