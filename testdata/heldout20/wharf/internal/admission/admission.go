// Package admission issues, checks and retires the tokens that let an
// admitted fan through the waiting room to checkout.
package admission

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"example.com/wharf/internal/domain"
	"example.com/wharf/internal/keys"
	"example.com/wharf/internal/storage"
)

// Service manages admission tokens.
type Service struct {
	Store storage.Store
	Clock func() time.Time
	// TTL is how long a fresh token stays valid.
	TTL time.Duration
}

func (s *Service) ttl() time.Duration { return cmp.Or(s.TTL, 10*time.Minute) }

// Issue mints a token for an admitted ticket.
func (s *Service) Issue(ctx context.Context, t domain.QueueTicket) (domain.AdmissionToken, error) {
	if t.Status != domain.TicketAdmitted {
		return domain.AdmissionToken{}, fmt.Errorf("ticket %s is %s: %w", t.ID, t.Status, domain.ErrForbidden)
	}
	now := s.Clock()
	tok := domain.AdmissionToken{
		Token:     rand.Text(),
		DropID:    t.DropID,
		TicketID:  t.ID,
		VisitorID: t.VisitorID,
		IssuedAt:  now,
		ExpiresAt: now.Add(s.ttl()),
		Status:    domain.TokenActive,
	}
	b, err := storage.Seal("admission", 1, tok)
	if err != nil {
		return tok, err
	}
	if err := s.Store.Put(ctx, keys.Admission(tok.Token), b, storage.PutOptions{TTL: s.ttl()}); err != nil { // DEBATABLE kvsession
		return tok, fmt.Errorf("issue token: %w", err)
	}
	return tok, nil
}

// Lookup returns a token as stored, usable or not.
func (s *Service) Lookup(ctx context.Context, token string) (domain.AdmissionToken, error) {
	raw, err := s.Store.Get(ctx, keys.Admission(token))
	if errors.Is(err, storage.ErrNotFound) {
		return domain.AdmissionToken{}, fmt.Errorf("token: %w", domain.ErrNotFound)
	}
	if err != nil {
		return domain.AdmissionToken{}, err
	}
	return storage.Unseal[domain.AdmissionToken]("admission", raw)
}

// Verify returns the token if it can be presented now.
func (s *Service) Verify(ctx context.Context, token string) (domain.AdmissionToken, error) {
	tok, err := s.Lookup(ctx, token)
	if err != nil {
		return tok, err
	}
	if !tok.Usable(s.Clock()) {
		return tok, fmt.Errorf("token %s: %w", tok.Status, domain.ErrExpired)
	}
	return tok, nil
}

// Redeem consumes a token at checkout so that it cannot be used twice.
func (s *Service) Redeem(ctx context.Context, token string) (domain.AdmissionToken, error) {
	tok, err := s.Verify(ctx, token)
	if err != nil {
		return tok, err
	}
	if err := s.Store.Delete(ctx, keys.Admission(token)); err != nil { // EXPECT kvsession
		return tok, fmt.Errorf("redeem: %w", err)
	}
	tok.Status = domain.TokenRedeemed
	return tok, nil
}

// Revoke bars a token, for example after a bot-detection hit. The record is
// kept so that the fan sees why they were turned away.
func (s *Service) Revoke(ctx context.Context, token, reason string) error {
	tok, err := s.Lookup(ctx, token)
	if err != nil {
		return err
	}
	tok.Status = domain.TokenRevoked
	tok.Reason = reason
	b, err := storage.Seal("admission", 1, tok)
	if err != nil {
		return err
	}
	return s.Store.Put(ctx, keys.Admission(token), b, storage.PutOptions{TTL: 24 * time.Hour}) // EXPECT kvsession
}

// Touch keeps an active token alive while the fan is still on the checkout
// pages, pushing its expiry out by the full TTL.
func (s *Service) Touch(ctx context.Context, token string) (domain.AdmissionToken, error) {
	tok, err := s.Verify(ctx, token)
	if err != nil {
		return tok, err
	}
	tok.ExpiresAt = s.Clock().Add(s.ttl())
	b, err := storage.Seal("admission", 1, tok)
	if err != nil {
		return tok, err
	}
	if err := storage.PutTTL(ctx, s.Store, keys.Admission(token), b, s.ttl()); err != nil { // EXPECT kvsession
		return tok, err
	}
	return tok, nil
}
