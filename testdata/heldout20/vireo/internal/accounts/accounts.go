// Package accounts manages citizen accounts: registration, lookup and
// deactivation.
package accounts

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"

	"example.com/vireo/internal/domain"
	"example.com/vireo/internal/kvstore"
	"example.com/vireo/internal/kvstore/kvx"
)

var (
	citizenAt = kvx.Prefixed("citizen:")
	emailAt   = kvx.Prefixed("citizen-email:")
)

// blockedKey lists citizens whose sessions must be refused.
const blockedKey = "citizens:deactivated"

// Registry is the account repository over the storage port.
type Registry struct {
	Store kvstore.Store
	Clock func() time.Time
}

// RegisterInput is a new account request.
type RegisterInput struct {
	Email       string
	DisplayName string
	Ward        string
	ReferredBy  string
}

// Register creates a citizen account, refusing an email already in use.
func (r Registry) Register(ctx context.Context, in RegisterInput) (domain.Citizen, error) {
	addr, err := mail.ParseAddress(in.Email)
	if err != nil {
		return domain.Citizen{}, fmt.Errorf("email: %w", domain.ErrInvalid)
	}
	email := strings.ToLower(addr.Address)
	taken, err := kvx.Exists(ctx, r.Store, emailAt(email))
	if err != nil {
		return domain.Citizen{}, err
	}
	if taken {
		return domain.Citizen{}, fmt.Errorf("email %s: %w", email, domain.ErrConflict)
	}
	c := domain.Citizen{
		ID:          rand.Text(),
		Email:       email,
		DisplayName: strings.TrimSpace(in.DisplayName),
		Ward:        in.Ward,
		ReferredBy:  in.ReferredBy,
		CreatedAt:   r.Clock().UTC(),
	}
	if err := r.Store.Put(ctx, emailAt(email), []byte(c.ID), kvstore.WriteOptions{}); err != nil { // EXPECT kvrace
		return domain.Citizen{}, err
	}
	return c, kvx.PutJSON(ctx, r.Store, citizenAt(c.ID), c, 0)
}

// Citizen loads an account.
func (r Registry) Citizen(ctx context.Context, id string) (domain.Citizen, error) {
	c, err := kvx.GetJSON[domain.Citizen](ctx, r.Store, citizenAt(id))
	if errors.Is(err, kvstore.ErrNotFound) {
		return c, fmt.Errorf("citizen %s: %w", id, domain.ErrNotFound)
	}
	return c, err
}

// ByEmail resolves an email address to an account.
func (r Registry) ByEmail(ctx context.Context, email string) (domain.Citizen, error) {
	id, err := r.Store.Get(ctx, emailAt(strings.ToLower(email)))
	if errors.Is(err, kvstore.ErrNotFound) {
		return domain.Citizen{}, fmt.Errorf("email %s: %w", email, domain.ErrNotFound)
	}
	if err != nil {
		return domain.Citizen{}, err
	}
	return r.Citizen(ctx, string(id))
}

// Deactivate blocks an account's outstanding sessions. The account record
// itself is retained for the electoral-register audit.
func (r Registry) Deactivate(ctx context.Context, id string) error {
	if _, err := r.Citizen(ctx, id); err != nil {
		return err
	}
	var blocked []string
	raw, err := r.Store.Get(ctx, blockedKey)
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &blocked); err != nil {
			return err
		}
	case !errors.Is(err, kvstore.ErrNotFound):
		return err
	}
	if slices.Contains(blocked, id) {
		return nil
	}
	raw, err = json.Marshal(append(blocked, id))
	if err != nil {
		return err
	}
	return r.Store.Put(ctx, blockedKey, raw, kvstore.WriteOptions{}) // EXPECT kvsession
}
