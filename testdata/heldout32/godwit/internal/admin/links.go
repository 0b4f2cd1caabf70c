package admin

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"godwit/internal/keys"
	"godwit/internal/kvstore"
)

// SendMagicLink mails a one-time sign-in link. Unknown addresses get no mail
// and no error, so the form does not reveal who has an account.
func (s *Service) SendMagicLink(ctx context.Context, email string) error {
	if _, err := s.user(ctx, email); err != nil {
		return nil
	}
	code := randomID(32)
	if err := s.store.Put(ctx, keys.Build(keys.MagicLink, code), []byte(email), kvstore.PutOptions{TTL: keys.TTL(keys.MagicLink)}); err != nil { // DEBATABLE kvsession
		return err
	}
	return s.mail.SendMagicLink(ctx, email, s.baseURL+"/admin/magic/"+code)
}

// RedeemMagicLink signs in with a link from SendMagicLink.
func (s *Service) RedeemMagicLink(ctx context.Context, code, ip string) (Session, string, error) {
	raw, err := kvstore.Take(ctx, s.store, keys.Build(keys.MagicLink, code)) // EXPECT kvsession
	if errors.Is(err, kvstore.ErrNotFound) {
		return Session{}, "", ErrNoSession
	}
	if err != nil {
		return Session{}, "", err
	}
	return s.open(ctx, string(raw), ip)
}

// Grant is what an API refresh token stands for.
type Grant struct {
	Account  string    `json:"account"`
	Client   string    `json:"client"`
	Scopes   []string  `json:"scopes"`
	IssuedAt time.Time `json:"issued_at"`
}

// IssueRefreshToken starts an API grant for an integration.
func (s *Service) IssueRefreshToken(ctx context.Context, g Grant) (string, error) {
	g.IssuedAt = time.Now().UTC()
	raw, _ := json.Marshal(g)
	tok := randomID(32)
	return tok, s.store.Put(ctx, keys.Build(keys.RefreshToken, tok), raw, kvstore.PutOptions{TTL: keys.TTL(keys.RefreshToken)})
}

// Refresh exchanges a refresh token for a new one; the old one stops working.
func (s *Service) Refresh(ctx context.Context, token string) (string, Grant, error) {
	key := keys.Build(keys.RefreshToken, token)
	raw, err := s.store.Get(ctx, key)
	if errors.Is(err, kvstore.ErrNotFound) {
		return "", Grant{}, ErrNoSession
	}
	if err != nil {
		return "", Grant{}, err
	}
	var g Grant
	if err := json.Unmarshal(raw, &g); err != nil {
		return "", Grant{}, err
	}
	if err := s.store.Delete(ctx, key); err != nil { // EXPECT kvsession
		return "", Grant{}, err
	}
	next, err := s.IssueRefreshToken(ctx, g)
	return next, g, err
}

// Revoke puts an access token on the revocation list the API checks until
// the token would have expired anyway.
func (s *Service) Revoke(ctx context.Context, jti string, expires time.Time) error {
	ttl := max(time.Until(expires), time.Minute)
	return s.store.Put(ctx, keys.Build(keys.RevokedToken, jti), []byte("1"), kvstore.PutOptions{TTL: ttl}) // EXPECT kvsession
}
