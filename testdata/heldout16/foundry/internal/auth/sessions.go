// Package auth issues and checks player sessions, refresh tokens and
// password reset links, and locks accounts after repeated failed sign-ins.
package auth

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"example.com/foundry/internal/keys"
	"example.com/foundry/internal/kvstore"
)

// TokenKind identifies what a stored credential is for.
type TokenKind int

const (
	SessionToken TokenKind = iota
	RefreshToken
	ResetLink
)

// Lifetimes in seconds, as published in the account security docs.
const (
	resetLinkSeconds = 30 * 60
	loginWindowSecs  = 15 * 60
)

// TTL is how long a credential of this kind stays valid.
func (k TokenKind) TTL() time.Duration {
	switch k {
	case SessionToken:
		return 12 * time.Hour
	case RefreshToken:
		return 30 * 24 * time.Hour
	case ResetLink:
		return resetLinkSeconds * time.Second
	}
	return time.Hour
}

// storageKey keys a credential by the hash of its secret, so that a key
// listing never reveals usable tokens.
func (k TokenKind) storageKey(secret string) string {
	return keys.Join([...]string{"session", "refresh", "reset"}[k], keys.Hash(secret))
}

// Session is an authenticated player session.
type Session struct {
	ID       string    `json:"-"`
	PlayerID string    `json:"player_id"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
}

// LogValue keeps the session secret out of logs.
func (s Session) LogValue() slog.Value {
	return slog.GroupValue(slog.String("player", s.PlayerID), slog.Time("created", s.Created))
}

var (
	ErrNoSession = errors.New("auth: no session")
	ErrRevoked   = errors.New("auth: session revoked")
)

type ctxKey struct{}

// FromContext returns the session attached by Middleware.
func FromContext(ctx context.Context) (Session, bool) {
	s, ok := ctx.Value(ctxKey{}).(Session)
	return s, ok
}

// Manager creates and checks sessions in the sessions namespace.
type Manager struct {
	store kvstore.Store
	ttl   time.Duration
	log   *slog.Logger
}

// NewManager returns a Manager; ttl comes from configuration.
func NewManager(store kvstore.Store, ttl time.Duration, log *slog.Logger) *Manager {
	return &Manager{store: store, ttl: ttl, log: log}
}

// Create starts a session and returns its secret.
func (m *Manager) Create(ctx context.Context, playerID string) (string, error) {
	secret, now := keys.NewToken(), time.Now().UTC()
	b, _ := json.Marshal(Session{PlayerID: playerID, Created: now, LastSeen: now})
	return secret, m.store.Put(ctx, SessionToken.storageKey(secret), b, kvstore.WithTTL(m.ttl))
}

func (m *Manager) load(ctx context.Context, secret string) (Session, error) {
	var s Session
	raw, err := m.store.Get(ctx, SessionToken.storageKey(secret))
	if errors.Is(err, kvstore.ErrNotFound) {
		return s, ErrNoSession
	} else if err != nil {
		return s, err
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return s, err
	}
	s.ID = secret
	if raw, err := m.store.Get(ctx, revocationKey(s.PlayerID)); err == nil {
		if sec, _ := strconv.ParseInt(string(raw), 10, 64); !s.Created.After(time.Unix(sec, 0)) {
			return s, ErrRevoked
		}
	}
	return s, nil
}

// Middleware authenticates requests by the "sid" cookie and keeps active
// sessions alive.
func (m *Manager) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie("sid")
		if err != nil {
			http.Error(w, "unauthenticated", http.StatusUnauthorized)
			return
		}
		s, err := m.load(r.Context(), c.Value)
		if err != nil {
			http.Error(w, "unauthenticated", http.StatusUnauthorized)
			return
		}
		s.LastSeen = time.Now().UTC()
		bg := context.WithoutCancel(r.Context())
		go func() {
			b, _ := json.Marshal(s)
			if err := m.store.Put(bg, SessionToken.storageKey(s.ID), b, kvstore.WithTTL(m.ttl)); err != nil { // EXPECT kvsession
				m.log.Warn("session touch failed", "session", s, "err", err)
			}
		}()
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, s)))
	})
}

// Logout ends one session.
func (m *Manager) Logout(ctx context.Context, secret string) error {
	return m.store.Delete(ctx, SessionToken.storageKey(secret)) // EXPECT kvsession
}

func revocationKey(playerID string) string { return keys.Join("revoked-before", playerID) }

// RevokeAll invalidates every session the player created before now, e.g.
// after a password change.
func (m *Manager) RevokeAll(ctx context.Context, playerID string) error {
	stamp := strconv.FormatInt(time.Now().Unix(), 10)
	return m.store.Put(ctx, revocationKey(playerID), []byte(stamp), kvstore.WithTTL(SessionToken.TTL())) // EXPECT kvsession
}

type refreshRecord struct {
	PlayerID string    `json:"player_id"`
	Family   string    `json:"family"`
	Issued   time.Time `json:"issued"`
}

func (m *Manager) mintRefresh(ctx context.Context, rec refreshRecord) (string, error) {
	tok := keys.NewToken()
	rec.Issued = time.Now().UTC()
	b, _ := json.Marshal(rec)
	return tok, m.store.Put(ctx, RefreshToken.storageKey(tok), b, kvstore.WithTTL(RefreshToken.TTL()))
}

// Rotate exchanges a refresh token for a new one and a new session.
func (m *Manager) Rotate(ctx context.Context, refresh string) (next, session string, err error) {
	old := RefreshToken.storageKey(refresh)
	var rec refreshRecord
	raw, err := m.store.Get(ctx, old)
	if errors.Is(err, kvstore.ErrNotFound) {
		return "", "", ErrNoSession
	} else if err != nil {
		return "", "", err
	}
	if err := json.Unmarshal(raw, &rec); err != nil {
		return "", "", err
	}
	if next, err = m.mintRefresh(ctx, rec); err != nil {
		return "", "", err
	}
	if err := m.store.Delete(ctx, old); err != nil { // EXPECT kvsession
		return "", "", err
	}
	session, err = m.Create(ctx, rec.PlayerID)
	return next, session, err
}
