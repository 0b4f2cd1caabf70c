package session

import (
	"context"
	"errors"
	"net/url"
	"time"

	"example.com/arcade/internal/keys"
	"example.com/arcade/internal/store"
)

type magicLink struct {
	PlayerID string    `json:"playerId"`
	Email    string    `json:"email"`
	IssuedAt time.Time `json:"issuedAt"`
}

// IssueMagicLink stores a one-time sign-in code and returns the URL to mail.
func (m *Manager) IssueMagicLink(ctx context.Context, base *url.URL, playerID, email string) (string, error) {
	code, err := m.token(24)
	if err != nil {
		return "", err
	}
	link := magicLink{PlayerID: playerID, Email: email, IssuedAt: m.now().UTC()}
	if err := store.PutJSON(ctx, m.store, keys.MagicLink+code, link, store.WithTTL(m.cfg.MagicLinkTTL)); err != nil {
		return "", err
	}
	u := *base
	u.Path = "/auth/magic"
	u.RawQuery = url.Values{"code": {code}}.Encode()
	return u.String(), nil
}

// Redeem exchanges a magic-link code for a session. Codes are single use.
func (m *Manager) Redeem(ctx context.Context, code string) (Session, error) {
	link, found, err := store.GetJSON[magicLink](ctx, m.store, keys.MagicLink+code)
	if err != nil {
		return Session{}, err
	}
	if !found {
		return Session{}, ErrLinkInvalid
	}
	if err := m.store.Delete(ctx, keys.MagicLink+code); err != nil { // EXPECT kvsession
		return Session{}, err
	}
	return m.Create(ctx, link.PlayerID)
}

// BeginOAuth stores the state parameter for the provider redirect.
func (m *Manager) BeginOAuth(ctx context.Context, provider, returnTo string) (string, error) {
	state, err := m.token(16)
	if err != nil {
		return "", err
	}
	err = m.oauth.SaveState.Put(ctx, keys.OAuthState+state, []byte(provider+"|"+returnTo), store.WithTTL(m.cfg.OAuthStateTTL))
	return state, err
}

// FinishOAuth checks the state that came back and returns where to send the user.
func (m *Manager) FinishOAuth(ctx context.Context, provider, state string) (string, error) {
	raw, err := m.oauth.LoadState(ctx, keys.OAuthState+state)
	if errors.Is(err, store.ErrNotFound) {
		return "", ErrBadState
	}
	if err != nil {
		return "", err
	}
	want := provider + "|"
	if len(raw) < len(want) || string(raw[:len(want)]) != want {
		return "", ErrBadState
	}
	if err := m.oauth.DeleteState(ctx, keys.OAuthState+state); err != nil { // EXPECT kvsession
		return "", err
	}
	return string(raw[len(want):]), nil
}
