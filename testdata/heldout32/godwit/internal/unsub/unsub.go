// Package unsub issues the per-recipient unsubscribe links that go into every
// campaign mail (List-Unsubscribe and the footer link) and handles clicks.
package unsub

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"godwit/internal/keys"
	"godwit/internal/kvstore"
	"godwit/internal/subscribers"
)

// ErrUnknownLink is returned for links that were never issued or have expired.
var ErrUnknownLink = errors.New("unknown unsubscribe link")

// Campaign is the part of a campaign the links depend on.
type Campaign struct {
	ID          string
	Account     string
	LinksExpire time.Time // zero: links live for the default period
}

type link struct {
	Account  string `json:"a"`
	Campaign string `json:"c"`
	Email    string `json:"e"`
}

// Service issues and resolves unsubscribe links.
type Service struct {
	store   kvstore.Store
	subs    *subscribers.Service
	baseURL string
}

// New returns a Service.
func New(store kvstore.Store, subs *subscribers.Service, baseURL string) *Service {
	return &Service{store: store, subs: subs, baseURL: baseURL}
}

// Link returns the unsubscribe URL for one recipient of a campaign.
func (s *Service) Link(ctx context.Context, c Campaign, email string) (string, error) {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	raw, _ := json.Marshal(link{Account: c.Account, Campaign: c.ID, Email: email})
	ttl := keys.TTL(keys.UnsubLink)
	if !c.LinksExpire.IsZero() {
		ttl = time.Until(c.LinksExpire) // EXPECT kvttl
	}
	if err := s.store.Put(ctx, keys.Build(keys.UnsubLink, token), raw, kvstore.PutOptions{TTL: ttl}); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s/u/%s", s.baseURL, token), nil
}

// Lookup returns the recipient behind a link without acting on it, for the
// confirmation page.
func (s *Service) Lookup(ctx context.Context, token string) (account, email string, err error) {
	raw, err := s.store.Get(ctx, keys.Build(keys.UnsubLink, token)) // EXPECT kvnull
	if err != nil {
		return "", "", fmt.Errorf("unsub lookup: %w", err)
	}
	if raw == nil {
		return "", "", ErrUnknownLink
	}
	var l link
	if err := json.Unmarshal(raw, &l); err != nil {
		return "", "", err
	}
	return l.Account, l.Email, nil
}

// Unsubscribe acts on a click. Links stay valid afterwards so that a second
// click (mail clients prefetch links) is harmless.
func (s *Service) Unsubscribe(ctx context.Context, token, reason string) error {
	raw, err := s.store.Get(ctx, keys.Build(keys.UnsubLink, token))
	if errors.Is(err, kvstore.ErrNotFound) {
		return ErrUnknownLink
	}
	if err != nil {
		return err
	}
	var l link
	if err := json.Unmarshal(raw, &l); err != nil {
		return err
	}
	if err := s.subs.SetStatus(ctx, l.Account, l.Email, subscribers.Unsubscribed); err != nil &&
		!errors.Is(err, subscribers.ErrNotFound) {
		return err
	}
	return s.subs.Suppress(ctx, l.Account, l.Email, "unsubscribed:"+reason)
}
