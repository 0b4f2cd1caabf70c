package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/ember/internal/keys"
	"example.com/ember/internal/kvstore"
)

// RefreshToken lets a client obtain a new session without signing in.
type RefreshToken struct {
	Token   string    `json:"token"`
	Rider   string    `json:"rider"`
	Device  string    `json:"device"`
	City    string    `json:"city"`
	Issued  time.Time `json:"issued"`
	Expires int64     `json:"expires"`
}

// Issue mints a refresh token for sess.
func (s *Service) Issue(ctx context.Context, sess Session) (RefreshToken, error) {
	now := s.clock.Now()
	tok := RefreshToken{
		Token:   newID(32),
		Rider:   sess.Rider,
		Device:  sess.Device,
		City:    sess.City,
		Issued:  now,
		Expires: now.Add(s.refreshTTL).Unix(),
	}
	b, err := json.Marshal(tok)
	if err != nil {
		return RefreshToken{}, err
	}
	if err := s.store.Put(ctx, keys.RefreshKey{Token: tok.Token}.String(), b, kvstore.ExpiresAt(tok.Expires)); err != nil {
		return RefreshToken{}, err
	}
	return tok, nil
}

// Rotate exchanges a refresh token for a new session and a new token.
func (s *Service) Rotate(ctx context.Context, token string) (Session, RefreshToken, error) {
	raw, err := s.store.Get(ctx, keys.RefreshKey{Token: token}.String())
	if errors.Is(err, kvstore.ErrNotFound) {
		return Session{}, RefreshToken{}, ErrBadToken
	}
	if err != nil {
		return Session{}, RefreshToken{}, err
	}
	var old RefreshToken
	if err := json.Unmarshal(raw, &old); err != nil {
		return Session{}, RefreshToken{}, err
	}
	if s.clock.Now().Unix() >= old.Expires {
		return Session{}, RefreshToken{}, ErrBadToken
	}
	sess, err := s.Start(ctx, old.Rider, old.Device, old.City)
	if err != nil {
		return Session{}, RefreshToken{}, err
	}
	next, err := s.Issue(ctx, sess)
	if err != nil {
		return Session{}, RefreshToken{}, err
	}
	if err := s.store.Delete(ctx, keys.RefreshKey{Token: token}.String()); err != nil { // EXPECT kvsession
		return Session{}, RefreshToken{}, fmt.Errorf("retire refresh token: %w", err)
	}
	return sess, next, nil
}

// revocation is the list of token ids a rider has revoked.
type revocation struct {
	Rider string   `json:"rider"`
	IDs   []string `json:"ids"`
}

func revokedKey(rider string) string { return "revoked:" + rider }

// Revoke adds jti to the rider's revocation list, checked by the API gateway.
func (s *Service) Revoke(ctx context.Context, rider, jti string) error {
	list := revocation{Rider: rider}
	raw, err := s.store.Get(ctx, revokedKey(rider))
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &list); err != nil {
			return err
		}
	case !errors.Is(err, kvstore.ErrNotFound):
		return err
	}
	if slices.Contains(list.IDs, jti) {
		return nil
	}
	list.IDs = append(list.IDs, jti)
	b, err := json.Marshal(list)
	if err != nil {
		return err
	}
	return s.store.Put(ctx, revokedKey(rider), b, kvstore.TTL(s.refreshTTL)) // EXPECT kvsession
}

// magicLink is a one-time sign-in link sent by e-mail.
type magicLink struct {
	Rider string `json:"rider"`
	City  string `json:"city"`
}

func linkKey(token string) string { return "magiclink:" + token }

// SendLink stores a sign-in link for rider and returns its token.
func (s *Service) SendLink(ctx context.Context, rider, city string) (string, error) {
	token := newID(32)
	b, err := json.Marshal(magicLink{Rider: rider, City: city})
	if err != nil {
		return "", err
	}
	if err := s.store.Put(ctx, linkKey(token), b, kvstore.TTL(s.linkTTL)); err != nil {
		return "", err
	}
	return token, nil
}

// Redeem exchanges a sign-in link for a session.
func (s *Service) Redeem(ctx context.Context, token, device string) (Session, error) {
	res, err := s.values.Get(ctx, s.namespace, linkKey(token), kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.account)})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == 404 {
			return Session{}, ErrBadToken
		}
		return Session{}, err
	}
	defer res.Body.Close()
	var link magicLink
	if err := json.NewDecoder(res.Body).Decode(&link); err != nil {
		return Session{}, err
	}
	if _, err := s.values.Delete(ctx, s.namespace, linkKey(token), kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(s.account)}); err != nil { // EXPECT kvsession
		return Session{}, err
	}
	return s.Start(ctx, link.Rider, device, link.City)
}
