package session

import (
	"context"
	"errors"
	"time"

	"example.com/beacon/internal/consts"
	"example.com/beacon/internal/kvstore"
	"example.com/beacon/internal/repo"
)

var ErrRefreshReused = errors.New("session: refresh token already used")

// RefreshToken lets the console's API client get new sessions without a
// password. Tokens are single use: rotating one issues its successor.
type RefreshToken struct {
	ID         string    `json:"id"`
	UserID     string    `json:"uid"`
	Used       bool      `json:"used"`
	ReplacedBy string    `json:"replaced_by,omitempty"`
	IssuedAt   time.Time `json:"issued_at"`
}

func (t RefreshToken) Key() string { return consts.PrefixRefresh.Key(t.ID) }

// Refresher issues and rotates refresh tokens.
type Refresher struct {
	tokens   *repo.Repository[RefreshToken]
	sessions *Manager
	users    Directory
}

func NewRefresher(store kvstore.Store, ttl time.Duration, sessions *Manager, users Directory) *Refresher {
	keyOf := func(id string) string { return consts.PrefixRefresh.Key(id) }
	return &Refresher{tokens: repo.New[RefreshToken](store, keyOf, ttl), sessions: sessions, users: users}
}

// Rotate spends id and returns a new session and the successor token.
func (r *Refresher) Rotate(ctx context.Context, id string) (Session, RefreshToken, error) {
	old, err := r.tokens.Load(ctx, id)
	if errors.Is(err, repo.ErrNotFound) {
		return Session{}, RefreshToken{}, ErrNoSession
	}
	if err != nil {
		return Session{}, RefreshToken{}, err
	}
	if old.Used {
		return Session{}, RefreshToken{}, ErrRefreshReused
	}
	next := RefreshToken{ID: randomToken(32), UserID: old.UserID, IssuedAt: time.Now().UTC()}
	if err := r.tokens.Save(ctx, next); err != nil {
		return Session{}, RefreshToken{}, err
	}
	old.Used, old.ReplacedBy = true, next.ID
	if err := r.tokens.Save(ctx, old); err != nil { // EXPECT kvsession
		return Session{}, RefreshToken{}, err
	}
	u, err := r.users.Lookup(ctx, old.UserID)
	if err != nil {
		return Session{}, RefreshToken{}, err
	}
	s, err := r.sessions.Create(ctx, u)
	return s, next, err
}
