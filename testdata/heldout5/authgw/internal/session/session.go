// Package session manages browser sessions with sliding expiry.
package session

import (
	"context"
	"errors"
	"time"

	"example.com/authgw/internal/ids"
	"example.com/authgw/internal/kvport"
	"example.com/authgw/internal/repo"
)

var ErrExpired = errors.New("session: expired or unknown")

// Session is stored as JSON under session:<id>.
type Session struct {
	ID        string    `json:"id"`
	UserID    string    `json:"uid"`
	UserAgent string    `json:"ua,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Config is set once at startup.
type Config struct {
	IdleTimeout     time.Duration
	AbsoluteTimeout time.Duration
	// StepUpWindow is how long a re-authentication unlocks sensitive actions.
	StepUpWindow time.Duration
	// MaxPerUser bounds the per-user index used by "sign out everywhere".
	MaxPerUser int
}

// Manager is the session service.
type Manager struct {
	kv    kvport.Store
	cfg   Config
	now   func() time.Time
	newID func() string
}

func NewManager(kv kvport.Store, cfg Config) *Manager {
	if cfg.MaxPerUser == 0 {
		cfg.MaxPerUser = 32
	}
	return &Manager{kv: kv, cfg: cfg, now: time.Now, newID: func() string { return ids.Secret(32) }}
}

func sessionKey(id string) string { return "session:" + id }
func indexKey(uid string) string  { return "session:user:" + uid }
func stepUpKey(id string) string  { return "session:stepup:" + id }

// Create starts a new session for userID.
func (m *Manager) Create(ctx context.Context, userID, userAgent string) (*Session, error) {
	now := m.now().UTC()
	s := &Session{
		ID:        m.newID(),
		UserID:    userID,
		UserAgent: userAgent,
		CreatedAt: now,
		LastSeen:  now,
		ExpiresAt: now.Add(m.cfg.IdleTimeout),
	}
	if err := repo.PutJSON(ctx, m.kv, sessionKey(s.ID), s, kvport.WithTTL(m.cfg.IdleTimeout)); err != nil {
		return nil, err
	}
	if err := m.track(ctx, userID, s.ID); err != nil {
		return nil, err
	}
	return s, nil
}

// track remembers sid in the user's index so DestroyAll can find it.
func (m *Manager) track(ctx context.Context, userID, sid string) error {
	list, err := repo.GetJSON[[]string](ctx, m.kv, indexKey(userID))
	if err != nil && !kvport.IsNotFound(err) {
		return err
	}
	list = append(list, sid)
	if len(list) > m.cfg.MaxPerUser {
		list = list[len(list)-m.cfg.MaxPerUser:]
	}
	return repo.PutJSON(ctx, m.kv, indexKey(userID), list, kvport.WithTTL(m.cfg.AbsoluteTimeout)) // EXPECT kvrace|kvsession
}

// Peek loads a session without extending it.
func (m *Manager) Peek(ctx context.Context, id string) (*Session, error) {
	s, err := repo.GetJSON[Session](ctx, m.kv, sessionKey(id))
	if kvport.IsNotFound(err) {
		return nil, ErrExpired
	}
	if err != nil {
		return nil, err
	}
	if !m.now().Before(s.ExpiresAt) {
		return nil, ErrExpired
	}
	return &s, nil
}

// Resume loads a session and slides its idle deadline forward.
func (m *Manager) Resume(ctx context.Context, id string) (*Session, error) {
	s, err := m.Peek(ctx, id)
	if err != nil {
		return nil, err
	}
	now := m.now().UTC()
	hardStop := s.CreatedAt.Add(m.cfg.AbsoluteTimeout)
	if !now.Before(hardStop) {
		return nil, ErrExpired
	}
	s.LastSeen = now
	s.ExpiresAt = now.Add(m.cfg.IdleTimeout)
	if s.ExpiresAt.After(hardStop) {
		s.ExpiresAt = hardStop
	}
	ttl := max(s.ExpiresAt.Sub(now), time.Minute)
	if err := repo.PutJSON(ctx, m.kv, sessionKey(id), s, kvport.WithTTL(ttl)); err != nil { // EXPECT kvsession|kvrace
		return nil, err
	}
	return s, nil
}

// Destroy ends one session.
func (m *Manager) Destroy(ctx context.Context, id string) error {
	return m.kv.Delete(ctx, sessionKey(id)) // EXPECT kvsession
}

// DestroyAll ends every session of userID ("sign out everywhere").
func (m *Manager) DestroyAll(ctx context.Context, userID string) (int, error) {
	list, err := repo.GetJSON[[]string](ctx, m.kv, indexKey(userID))
	if kvport.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var errs []error
	for _, sid := range list {
		if err := m.kv.Delete(ctx, sessionKey(sid)); err != nil { // EXPECT kvsession
			errs = append(errs, err)
		}
	}
	if err := m.kv.Delete(ctx, indexKey(userID)); err != nil { // DEBATABLE kvsession
		errs = append(errs, err)
	}
	return len(list), errors.Join(errs...)
}

// GrantStepUp records a fresh re-authentication for the session.
func (m *Manager) GrantStepUp(ctx context.Context, sid string) error {
	stamp := []byte(m.now().UTC().Format(time.RFC3339))
	return m.kv.Put(ctx, stepUpKey(sid), stamp, kvport.WithTTL(m.cfg.StepUpWindow))
}

// HasStepUp reports whether the session re-authenticated recently.
func (m *Manager) HasStepUp(ctx context.Context, sid string) (bool, error) {
	_, err := m.kv.Get(ctx, stepUpKey(sid))
	if kvport.IsNotFound(err) {
		return false, nil
	}
	return err == nil, err
}
