// Package accounts manages customer accounts and their API keys.
package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"example.com/shortlinks/internal/keys"
	"example.com/shortlinks/internal/repo"
	"example.com/shortlinks/internal/store"
)

var ErrNotFound = errors.New("accounts: not found")

type Plan string

const (
	PlanFree Plan = "free"
	PlanPro  Plan = "pro"
)

type Account struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Plan      Plan      `json:"plan"`
	CreatedAt time.Time `json:"created_at"`
}

type APIKey struct {
	ID        string    `json:"id"`
	Account   string    `json:"account"`
	Hash      string    `json:"hash"`
	Label     string    `json:"label"`
	CreatedAt time.Time `json:"created_at"`
}

// LookupFunc resolves a secondary index entry; it returns "" when the entry
// does not exist.
type LookupFunc func(ctx context.Context, key string) (string, error)

type Service struct {
	accounts *repo.Repo[Account]
	apiKeys  *repo.Repo[APIKey]
	revoked  store.Store
	lookup   LookupFunc
}

type Option func(*Service)

// WithLookup overrides how the email index is read.
func WithLookup(fn LookupFunc) Option { return func(s *Service) { s.lookup = fn } }

func NewService(st store.Store, opts ...Option) *Service {
	s := &Service{
		accounts: repo.New[Account](st, keys.AccountPrefix),
		apiKeys:  repo.New[APIKey](st, keys.APIKeyPrefix),
		revoked:  st,
	}
	s.lookup = func(ctx context.Context, key string) (string, error) {
		v, ok, err := st.Get(ctx, key)
		if err != nil || !ok {
			return "", err
		}
		return v, nil
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

func newID(prefix string) string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

func (s *Service) Get(ctx context.Context, id string) (Account, error) {
	a, err := s.accounts.Get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return a, ErrNotFound
	}
	return a, err
}

// FindByEmail resolves the email index written at signup.
func (s *Service) FindByEmail(ctx context.Context, email string) (Account, error) {
	id, err := s.lookup(ctx, "email:"+strings.ToLower(email))
	if err != nil {
		return Account{}, err
	}
	if id == "" {
		return Account{}, ErrNotFound
	}
	return s.Get(ctx, id)
}

// SetPlan is called by the billing webhook.
func (s *Service) SetPlan(ctx context.Context, id string, p Plan) error {
	return s.accounts.Update(ctx, id, func(a *Account) error {
		if a.ID == "" {
			return ErrNotFound
		}
		a.Plan = p
		return nil
	})
}

// CreateAPIKey mints a key and returns the secret once; only its hash is kept.
func (s *Service) CreateAPIKey(ctx context.Context, account, label string) (APIKey, string, error) {
	secret := newID("sk_")
	sum := sha256.Sum256([]byte(secret))
	k := APIKey{
		ID:        newID("key_"),
		Account:   account,
		Hash:      hex.EncodeToString(sum[:]),
		Label:     label,
		CreatedAt: time.Now().UTC(),
	}
	if err := s.apiKeys.Save(ctx, k.ID, k); err != nil {
		return APIKey{}, "", err
	}
	return k, secret, nil
}

// RevokeAPIKey marks a key as unusable. The record is kept for the audit log.
func (s *Service) RevokeAPIKey(ctx context.Context, account, keyID string) error {
	k, err := s.apiKeys.Get(ctx, keyID)
	if err != nil {
		return err
	}
	if k.Account != account {
		return ErrNotFound
	}
	stamp := time.Now().UTC().Format(time.RFC3339)
	return s.revoked.Put(ctx, keys.RevokedPrefix+keyID, stamp) // EXPECT kvsession
}

// IsRevoked is checked by the API key middleware.
func (s *Service) IsRevoked(ctx context.Context, keyID string) (bool, error) {
	_, ok, err := s.revoked.Get(ctx, keys.RevokedPrefix+keyID)
	return ok, err
}

// ListAPIKeys returns one page of key ids for the admin console.
func (s *Service) ListAPIKeys(ctx context.Context, cursor string) ([]string, string, error) {
	ids, next, err := s.apiKeys.Page(ctx, cursor, 1200) // EXPECT kvlimits
	if err != nil {
		return nil, "", fmt.Errorf("accounts: list keys: %w", err)
	}
	return ids, next, nil
}

// Authenticate checks a "key_….sk_…" bearer credential.
func (s *Service) Authenticate(ctx context.Context, bearer string) (APIKey, error) {
	id, secret, ok := strings.Cut(bearer, ".")
	if !ok {
		return APIKey{}, ErrNotFound
	}
	k, err := s.apiKeys.Get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return APIKey{}, ErrNotFound
	}
	if err != nil {
		return APIKey{}, err
	}
	sum := sha256.Sum256([]byte(secret))
	if subtle.ConstantTimeCompare([]byte(hex.EncodeToString(sum[:])), []byte(k.Hash)) != 1 {
		return APIKey{}, ErrNotFound
	}
	revoked, err := s.IsRevoked(ctx, id)
	if err != nil {
		return APIKey{}, err
	}
	if revoked {
		return APIKey{}, ErrNotFound
	}
	return k, nil
}
