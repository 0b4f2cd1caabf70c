// Package sessions keeps editor sign-ins for the dashboard.
package sessions

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"slices"
	"strconv"
	"time"

	"example.com/atlas/internal/config"
	"example.com/atlas/internal/consts"
	"example.com/atlas/internal/storage"
	"example.com/atlas/internal/storage/repo"
)

var (
	ErrNoSession   = errors.New("sessions: no such session")
	ErrExpired     = errors.New("sessions: session expired")
	ErrLockedOut   = errors.New("sessions: too many failed sign-ins")
	maxLoginFailed = 8
)

// Session is one signed-in editor.
type Session struct {
	ID        string    `json:"id"`
	UserID    string    `json:"user"`
	Email     string    `json:"email"`
	SiteIDs   []string  `json:"sites"`
	Current   string    `json:"current_site,omitempty"`
	CSRF      string    `json:"csrf"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (s Session) Key() string { return sessionKey(s.ID) }

func sessionKey(id string) string { return consts.PrefixSession.Key(id) }

// Manager creates, loads and ends sessions.
type Manager struct {
	store    storage.Store
	sessions *repo.Repository[Session]
	cfg      config.SessionConfig
	now      func() time.Time
}

func NewManager(s storage.Store, cfg config.SessionConfig) *Manager {
	return &Manager{
		store:    s,
		sessions: repo.New[Session](s, sessionKey, cfg.TTL),
		cfg:      cfg,
		now:      time.Now,
	}
}

// Create signs userID in.
func (m *Manager) Create(ctx context.Context, userID, email string, sites []string) (Session, error) {
	now := m.now().UTC()
	s := Session{
		ID:        randomHex(32),
		UserID:    userID,
		Email:     email,
		SiteIDs:   slices.Clone(sites),
		CSRF:      randomHex(16),
		CreatedAt: now,
		LastSeen:  now,
		ExpiresAt: now.Add(m.cfg.TTL),
	}
	if err := m.sessions.Save(ctx, s); err != nil { // DEBATABLE kvsession
		return Session{}, err
	}
	return s, nil
}

// Get returns a live session.
func (m *Manager) Get(ctx context.Context, id string) (Session, error) {
	s, err := m.sessions.Load(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return Session{}, ErrNoSession
	}
	if err != nil {
		return Session{}, err
	}
	if m.now().After(s.ExpiresAt) {
		return Session{}, ErrExpired
	}
	return s, nil
}

// Touch extends an idle session; the HTTP layer calls it on each request.
func (m *Manager) Touch(ctx context.Context, s Session) (Session, error) {
	now := m.now().UTC()
	s.LastSeen = now
	if idle := now.Add(m.cfg.IdleTTL); idle.After(s.ExpiresAt) {
		s.ExpiresAt = idle
	}
	if err := m.sessions.Save(ctx, s); err != nil { // EXPECT kvsession
		return Session{}, err
	}
	return s, nil
}

// SwitchSite changes the site the editor is working on.
func (m *Manager) SwitchSite(ctx context.Context, id, siteID string) (Session, error) {
	s, err := m.Get(ctx, id)
	if err != nil {
		return Session{}, err
	}
	if !slices.Contains(s.SiteIDs, siteID) {
		return Session{}, errors.New("sessions: site not granted")
	}
	s.Current = siteID
	return s, m.sessions.Save(ctx, s) // EXPECT kvsession
}

// Destroy signs a session out.
func (m *Manager) Destroy(ctx context.Context, id string) error {
	return m.store.Delete(ctx, sessionKey(id)) // EXPECT kvsession
}

// RecordFailedLogin counts a failed sign-in for email and reports whether the
// account is now locked out for the rest of the window.
func (m *Manager) RecordFailedLogin(ctx context.Context, email string) error {
	key := consts.PrefixLogin.Key(email)
	failed := 0
	b, err := m.store.Get(ctx, key)
	switch {
	case errors.Is(err, storage.ErrNotFound):
	case err != nil:
		return err
	default:
		failed, _ = strconv.Atoi(string(b))
	}
	failed++
	if err := m.store.Put(ctx, key, []byte(strconv.Itoa(failed)), consts.LoginWindow); err != nil { // EXPECT kvcounter
		return err
	}
	if failed >= maxLoginFailed {
		return ErrLockedOut
	}
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n/2)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
