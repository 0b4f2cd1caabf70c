package sessions

import (
	"context"
	"errors"
	"time"

	"example.com/orchard/internal/codec"
	"example.com/orchard/internal/store"
)

// RefreshToken lets the mobile app get a new session without a new code.
type RefreshToken struct {
	Token     string    `json:"token"`
	SessionID string    `json:"session_id"`
	BuyerID   string    `json:"buyer_id"`
	NotAfter  time.Time `json:"not_after"`
}

// ErrTokenUsed is returned when a refresh token is presented twice.
var ErrTokenUsed = errors.New("sessions: refresh token already used")

// IssueRefresh mints a refresh token that lives no longer than its session.
func (m *Manager) IssueRefresh(ctx context.Context, s Session) (RefreshToken, error) {
	rt := RefreshToken{
		Token:     codec.Token(32),
		SessionID: s.ID,
		BuyerID:   s.BuyerID,
		NotAfter:  s.ExpiresAt,
	}
	if err := store.Save(ctx, m.st, m.refresh.Key(rt.Token), rt,
		store.WithTTL(time.Until(s.ExpiresAt))); err != nil { // EXPECT kvttl
		return RefreshToken{}, err
	}
	return rt, nil
}

// Rotate exchanges a refresh token for a new session and a new token.
func (m *Manager) Rotate(ctx context.Context, token string) (Session, RefreshToken, error) {
	rt, ok, err := store.Load[RefreshToken](ctx, m.st, m.refresh.Key(token))
	if err != nil {
		return Session{}, RefreshToken{}, err
	}
	if !ok || rt.NotAfter.Before(m.now()) {
		return Session{}, RefreshToken{}, ErrTokenUsed
	}
	if err := m.st.Delete(ctx, m.refresh.Key(token)); err != nil { // EXPECT kvsession
		return Session{}, RefreshToken{}, err
	}
	s, err := m.Create(ctx, rt.BuyerID)
	if err != nil {
		return Session{}, RefreshToken{}, err
	}
	next, err := m.IssueRefresh(ctx, s)
	return s, next, err
}
