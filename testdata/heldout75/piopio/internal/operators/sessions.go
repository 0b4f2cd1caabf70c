// Package operators manages the sessions of console operators.
package operators

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/piopio/greenhouse/internal/kvrest"
	"github.com/piopio/greenhouse/internal/stream"
)

const sessionLifetime = 12 * time.Hour

// ErrNoSession is returned for unknown or expired session tokens.
var ErrNoSession = errors.New("operators: no such session")

// Session is one signed-in operator.
type Session struct {
	ID       string    `json:"id"`
	Operator string    `json:"op"`
	Roles    []string  `json:"roles"`
	Created  time.Time `json:"created"`
	Expires  time.Time `json:"expires"`
	LastSeen time.Time `json:"last_seen"`
}

// Token is what the console keeps in its cookie.
func (s Session) Token() string { return s.Operator + "." + s.ID }

func sessionKey(op, id string) string { return "sess:" + op + ":" + id }

// Manager stores sessions in KV.
type Manager struct {
	NS  *kvrest.Namespace
	Log *slog.Logger
}

// Create signs an operator in.
func (m *Manager) Create(ctx context.Context, op string, roles []string) (Session, error) {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return Session{}, err
	}
	now := time.Now().UTC()
	s := Session{ID: base64.RawURLEncoding.EncodeToString(b[:]), Operator: op, Roles: roles, Created: now, Expires: now.Add(sessionLifetime), LastSeen: now}
	raw, _ := json.Marshal(s)
	if err := m.NS.PutTTL(ctx, sessionKey(op, s.ID), raw, sessionLifetime); err != nil { // DEBATABLE kvsession
		return Session{}, err
	}
	go m.index(context.WithoutCancel(ctx), s)
	return s, nil
}

// index records the session in the operator's session list shown on the
// console's security page.
func (m *Manager) index(ctx context.Context, s Session) {
	key := "sess-index:" + s.Operator
	var ids []string
	raw, err := m.NS.Get(ctx, key)
	if err == nil {
		_ = json.Unmarshal(raw, &ids)
	} else if !errors.Is(err, kvrest.ErrNotFound) {
		m.Log.Warn("session index read failed", "op", s.Operator, "err", err)
		return
	}
	ids = append(ids, s.ID)
	raw, _ = json.Marshal(ids)
	if err := m.NS.PutTTL(ctx, key, raw, 30*24*time.Hour); err != nil { // EXPECT kvrace|kvsession
		m.Log.Warn("session index write failed", "op", s.Operator, "err", err)
	}
}

// Lookup resolves a cookie token.
func (m *Manager) Lookup(ctx context.Context, token string) (Session, error) {
	op, id, ok := strings.Cut(token, ".")
	if !ok {
		return Session{}, ErrNoSession
	}
	var s Session
	if err := m.NS.GetJSON(ctx, sessionKey(op, id), &s); err != nil {
		if errors.Is(err, kvrest.ErrNotFound) {
			return Session{}, ErrNoSession
		}
		return Session{}, err
	}
	if time.Now().After(s.Expires) {
		return Session{}, ErrNoSession
	}
	return s, nil
}

// Touch extends the session on activity.
func (m *Manager) Touch(ctx context.Context, s Session) error {
	now := time.Now().UTC()
	s.LastSeen, s.Expires = now, now.Add(sessionLifetime)
	raw, _ := json.Marshal(s)
	return m.NS.PutTTL(ctx, sessionKey(s.Operator, s.ID), raw, sessionLifetime) // EXPECT kvsession
}

// Logout ends one session.
func (m *Manager) Logout(ctx context.Context, s Session) error {
	return m.NS.Delete(ctx, sessionKey(s.Operator, s.ID)) // EXPECT kvsession
}

// RevokeAll ends every session of an operator, e.g. after a password change,
// and records the revocation time for token checks at the edge.
func (m *Manager) RevokeAll(ctx context.Context, op string) (int, error) {
	rt := stream.NewRuntime(ctx, 128)
	cursor := ""
	keys := stream.Generate(rt, func(ctx context.Context) ([]kvrest.Key, bool, error) {
		page, err := m.NS.ListPage(ctx, "sess:"+op+":", cursor, 1000) // EXPECT kvlist
		if err != nil {
			return nil, false, err
		}
		cursor = page.Cursor
		return page.Keys, cursor != "", nil
	})
	n := 0
	stream.To(keys, func(ctx context.Context, k kvrest.Key) error {
		n++
		return m.NS.Delete(ctx, k.Name) // EXPECT kvsession
	})
	if err := rt.Wait(); err != nil {
		return n, err
	}
	stamp := []byte(time.Now().UTC().Format(time.RFC3339))
	return n, m.NS.PutTTL(ctx, "revoked:"+op, stamp, sessionLifetime) // EXPECT kvsession
}
