// Package sessions manages portal sessions, magic-link sign-in and API token
// revocation.
package sessions

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"example.com/billing/internal/keys"
	"example.com/billing/internal/repo"
	"example.com/billing/internal/storage"
)

// ErrLocked is returned when an address has too many failed sign-ins.
var ErrLocked = errors.New("sessions: too many attempts")

// Session is a signed-in portal user.
type Session struct {
	ID         string    `json:"id"`
	UserID     string    `json:"user_id"`
	CustomerID string    `json:"customer_id"`
	Scopes     []string  `json:"scopes"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeen   time.Time `json:"last_seen"`
}

// Claims is the subset of an IdP token we care about.
type Claims struct {
	Subject    string
	CustomerID string
	Expiry     time.Time
}

// Manager owns session storage.
type Manager struct {
	sessions *repo.Repo[Session]
	store    storage.Store
	ttl      time.Duration
	now      func() time.Time
}

// NewManager returns a Manager; ttl is config.Sessions.TTL.
func NewManager(store storage.Store, ttl time.Duration) *Manager {
	return &Manager{
		sessions: repo.New[Session](store, keys.Prefix(keys.Sessions)),
		store:    store,
		ttl:      ttl,
		now:      time.Now,
	}
}

func randomToken(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Create starts a session for userID acting on customerID.
func (m *Manager) Create(ctx context.Context, userID, customerID string) (Session, error) {
	tok, err := randomToken(32)
	if err != nil {
		return Session{}, err
	}
	now := m.now()
	s := Session{ID: userID + "." + tok, UserID: userID, CustomerID: customerID, CreatedAt: now, LastSeen: now}
	if err := m.sessions.PutFor(ctx, s.ID, s, m.ttl); err != nil {
		return Session{}, err
	}
	return s, nil
}

// CreateFromIdP starts a session that ends when the IdP token does.
func (m *Manager) CreateFromIdP(ctx context.Context, c Claims) (Session, error) {
	tok, err := randomToken(32)
	if err != nil {
		return Session{}, err
	}
	now := m.now()
	s := Session{ID: c.Subject + "." + tok, UserID: c.Subject, CustomerID: c.CustomerID, CreatedAt: now, LastSeen: now}
	return s, m.sessions.PutFor(ctx, s.ID, s, time.Until(c.Expiry)) // EXPECT kvttl
}

// Load returns the session, or storage.ErrNotFound.
func (m *Manager) Load(ctx context.Context, id string) (Session, error) {
	return m.sessions.Get(ctx, id)
}

// Save persists s, keeping the configured lifetime.
func (m *Manager) Save(ctx context.Context, s Session) error {
	return m.sessions.PutFor(ctx, s.ID, s, m.ttl)
}

// Touch marks s as used now and extends its lifetime.
func (m *Manager) Touch(ctx context.Context, s Session) error {
	s.LastSeen = m.now()
	return m.Save(ctx, s)
}

// Revoke ends a session.
func (m *Manager) Revoke(ctx context.Context, id string) error {
	return m.sessions.Delete(ctx, id)
}

// ForUser returns the ids of a user's sessions, up to maxPages pages.
func (m *Manager) ForUser(ctx context.Context, userID string, maxPages int) ([]string, error) {
	var ids []string
	opts := storage.ListOptions{Prefix: m.sessions.Key(userID + "."), Limit: 100}
	for i := 0; i < maxPages; i++ {
		page, err := m.store.List(ctx, opts) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range page.Keys {
			ids = append(ids, strings.TrimPrefix(k.Name, m.sessions.Prefix()))
		}
		if page.Done() {
			break
		}
		opts = storage.ListOptions{Cursor: page.Cursor, Limit: 100}
	}
	return ids, nil
}

// IssueMagicLink creates a sign-in token for email, valid for 15 minutes.
func (m *Manager) IssueMagicLink(ctx context.Context, email string) (string, error) {
	tok, err := randomToken(24)
	if err != nil {
		return "", err
	}
	key := keys.New(keys.MagicLinks, tok).String()
	return tok, m.store.Put(ctx, key, []byte(strings.ToLower(email)), storage.WithTTL(15*time.Minute))
}

// RedeemMagicLink exchanges a magic-link token for the email it was sent to.
func (m *Manager) RedeemMagicLink(ctx context.Context, tok string) (string, error) {
	key := keys.New(keys.MagicLinks, tok).String()
	email, err := m.store.Get(ctx, key)
	if err != nil {
		return "", fmt.Errorf("magic link: %w", err)
	}
	// Links are single use.
	if err := m.store.Delete(ctx, key); err != nil { // EXPECT kvsession
		return "", err
	}
	return string(email), nil
}

// RevokeToken adds an API token id to the deny list until it would have
// expired anyway.
func (m *Manager) RevokeToken(ctx context.Context, jti string, exp time.Time) error {
	key := keys.New(keys.Revoked, jti).String()
	return m.store.Put(ctx, key, []byte("1"), storage.WithExpireAt(exp.Add(time.Hour))) // EXPECT kvsession
}

// IsRevoked reports whether jti is on the deny list.
func (m *Manager) IsRevoked(ctx context.Context, jti string) (bool, error) {
	_, err := m.store.Get(ctx, keys.New(keys.Revoked, jti).String())
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, storage.ErrNotFound):
		return false, nil
	default:
		return false, err
	}
}

// FailedSignIn records a failed sign-in for email and returns ErrLocked once
// the address has failed five times within the lockout window.
func (m *Manager) FailedSignIn(ctx context.Context, email string) error {
	key := "attempts:" + strings.ToLower(email)
	n := 0
	raw, err := m.store.Get(ctx, key)
	switch {
	case err == nil:
		n, _ = strconv.Atoi(string(raw))
	case !errors.Is(err, storage.ErrNotFound):
		return err
	}
	n++
	if err := m.store.Put(ctx, key, []byte(strconv.Itoa(n)), storage.WithTTL(15*time.Minute)); err != nil { // EXPECT kvcounter
		return err
	}
	if n >= 5 {
		return ErrLocked
	}
	return nil
}
