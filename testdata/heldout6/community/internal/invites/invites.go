// Package invites issues invite codes with a limited number of uses.
package invites

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"time"

	"example.com/community/internal/collection"
	"example.com/community/internal/store"
)

// Prefix is the key prefix of invite documents.
const Prefix = "invite:"

var (
	ErrUnknown   = errors.New("invites: unknown code")
	ErrExhausted = errors.New("invites: code has no uses left")
)

// Invite is the stored invite document.
type Invite struct {
	Code, CreatedBy string
	MaxUses, Used   int
	ExpiresAt       time.Time
}

// Service implements invite use cases.
type Service struct {
	invites *collection.Collection[Invite]
}

func NewService(kv store.KV) *Service {
	return &Service{invites: collection.New[Invite](kv, Prefix)}
}

// NewCode returns a short, URL-safe invite code.
func NewCode() string { return strings.ToLower(rand.Text()[:10]) }

// Create issues a new code.
func (s *Service) Create(ctx context.Context, by string, maxUses int, validFor time.Duration) (Invite, error) {
	inv := Invite{Code: NewCode(), CreatedBy: by, MaxUses: maxUses, ExpiresAt: time.Now().Add(validFor).UTC()}
	return inv, s.invites.Put(ctx, inv.Code, inv, store.ExpiresAt(inv.ExpiresAt))
}

// Redeem consumes one use of code.
func (s *Service) Redeem(ctx context.Context, code string) (Invite, error) {
	inv, err := s.invites.Get(ctx, code)
	if store.IsNotFound(err) {
		return Invite{}, ErrUnknown
	}
	if err != nil {
		return Invite{}, err
	}
	if inv.Used >= inv.MaxUses || !time.Now().Before(inv.ExpiresAt) {
		return Invite{}, ErrExhausted
	}
	inv.Used++
	ttl := max(time.Until(inv.ExpiresAt), time.Minute)
	return inv, s.invites.Put(ctx, code, inv, // EXPECT kvcounter
		store.WithTTL(ttl))
}
