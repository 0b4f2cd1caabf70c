// Package sessions tracks respondents working through multi-question
// surveys. A session is created when an embed first loads a survey.
package sessions

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"time"

	"example.com/bellwether/internal/kvstore"
	"example.com/bellwether/internal/repo"
	"example.com/bellwether/internal/ttlpolicy"
)

// Session is one respondent's progress through a survey.
type Session struct {
	ID        string            `json:"id"`
	PollID    string            `json:"poll_id"`
	Site      string            `json:"site"`
	Answers   map[string]string `json:"answers"`
	Step      int               `json:"step"`
	StartedAt time.Time         `json:"started_at"`
	ExpiresAt time.Time         `json:"expires_at"`
}

// ErrExpired is returned for unknown or expired sessions.
var ErrExpired = errors.New("sessions: session expired or unknown")

// Repo stores sessions by id.
type Repo struct {
	*repo.Base[Session]
}

// NewRepo returns a session repository whose records expire after ttl.
func NewRepo(s kvstore.Store, ttl time.Duration) *Repo {
	return &Repo{Base: repo.NewBase[Session](s, "sess:", repo.WithTTL(ttl))}
}

// Manager is the session use-case layer.
type Manager struct {
	repo *Repo
	ttl  time.Duration
	now  func() time.Time
}

// NewManager returns a Manager. A zero ttl uses the package default.
func NewManager(r *Repo, ttl time.Duration) *Manager {
	if ttl <= 0 {
		ttl = ttlpolicy.SessionIdle
	}
	return &Manager{repo: r, ttl: ttl, now: time.Now}
}

// TTL is the session lifetime.
func (m *Manager) TTL() time.Duration { return m.ttl }

func newSessionID() (string, error) {
	var b [18]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// Start opens a new session for a respondent arriving from site.
func (m *Manager) Start(ctx context.Context, pollID, site string) (Session, error) {
	id, err := newSessionID()
	if err != nil {
		return Session{}, err
	}
	now := m.now().UTC()
	s := Session{
		ID:        id,
		PollID:    pollID,
		Site:      site,
		Answers:   map[string]string{},
		StartedAt: now,
		ExpiresAt: now.Add(m.ttl),
	}
	return s, m.repo.SaveFor(ctx, id, s, m.ttl)
}

// Get loads a session.
func (m *Manager) Get(ctx context.Context, id string) (Session, error) {
	s, ok, err := m.repo.Find(ctx, id)
	if err != nil {
		return Session{}, err
	}
	if !ok || m.now().After(s.ExpiresAt) {
		return Session{}, ErrExpired
	}
	return s, nil
}

// Answer records the respondent's answer to one question and advances them.
func (m *Manager) Answer(ctx context.Context, id, question, answer string) (Session, error) {
	s, err := m.Get(ctx, id)
	if err != nil {
		return Session{}, err
	}
	if s.Answers == nil {
		s.Answers = map[string]string{}
	}
	s.Answers[question] = answer
	s.Step++
	return s, m.repo.Save(ctx, id, s) // EXPECT kvsession
}

// Persist writes s back as it is.
func (m *Manager) Persist(ctx context.Context, s Session) error {
	return m.repo.SaveFor(ctx, s.ID, s, m.ttl)
}

// Finish ends a session once the respondent submits.
func (m *Manager) Finish(ctx context.Context, id string) error {
	return m.repo.Delete(ctx, id) // EXPECT kvsession
}
