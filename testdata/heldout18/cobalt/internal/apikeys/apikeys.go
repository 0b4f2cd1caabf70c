// Package apikeys issues and checks API keys. A key is presented as
// "<id>.<secret>"; only a hash of the secret is stored.
package apikeys

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"example.com/cobalt/internal/storage"
	"example.com/cobalt/internal/storage/typed"
)

// Scope is one permission carried by a key.
type Scope string

// Known scopes.
const (
	ScopeDevicesRead  Scope = "devices:read"
	ScopeDevicesWrite Scope = "devices:write"
	ScopeTelemetry    Scope = "telemetry:write"
	ScopeFirmware     Scope = "firmware:admin"
	ScopeAdmin        Scope = "admin"
)

var knownScopes = []Scope{ScopeDevicesRead, ScopeDevicesWrite, ScopeTelemetry, ScopeFirmware, ScopeAdmin}

// Errors returned by the service.
var (
	ErrUnauthorized = errors.New("apikeys: invalid key")
	ErrExpired      = errors.New("apikeys: key expired")
	ErrBadScope     = errors.New("apikeys: unknown scope")
	ErrTTL          = errors.New("apikeys: key lifetime out of range")
)

// KeyID identifies a key.
type KeyID string

// Key is the stored record.
type Key struct {
	ID         KeyID     `json:"id"`
	Owner      string    `json:"owner"`
	Name       string    `json:"name"`
	SecretHash string    `json:"secret_hash"`
	Scopes     []Scope   `json:"scopes"`
	CreatedAt  time.Time `json:"created_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
}

// Validate implements typed.Validator.
func (k Key) Validate() error {
	if k.ID == "" || k.Owner == "" || k.SecretHash == "" {
		return errors.New("key record is incomplete")
	}
	for _, s := range k.Scopes {
		if !slices.Contains(knownScopes, s) {
			return fmt.Errorf("%w: %s", ErrBadScope, s)
		}
	}
	return nil
}

// Service manages keys.
type Service struct {
	keys   *typed.Store[KeyID, Key]
	maxAge time.Duration
	now    func() time.Time
	log    *slog.Logger
}

// NewService returns a key service over st.
func NewService(st storage.Store, maxAge time.Duration, log *slog.Logger) *Service {
	keys := typed.New[KeyID, Key](st, "apikey:", 0).WithMetadata(func(k Key) map[string]any {
		return map[string]any{"owner": k.Owner, "name": k.Name}
	})
	return &Service{keys: keys, maxAge: maxAge, now: time.Now, log: log}
}

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func random(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Create issues a key valid for lifetime and returns the presented form.
func (s *Service) Create(ctx context.Context, owner, name string, scopes []Scope, lifetime time.Duration) (string, Key, error) {
	if lifetime < time.Hour || lifetime > s.maxAge {
		return "", Key{}, ErrTTL
	}
	now := s.now().UTC()
	secret := random(24)
	k := Key{
		ID:         KeyID("ak_" + random(9)),
		Owner:      owner,
		Name:       name,
		SecretHash: hashSecret(secret),
		Scopes:     slices.Clone(scopes),
		CreatedAt:  now,
		ExpiresAt:  now.Add(lifetime),
	}
	if err := s.keys.PutTTL(ctx, k.ID, k, lifetime); err != nil {
		return "", Key{}, err
	}
	return string(k.ID) + "." + secret, k, nil
}

// retention is how long a record stays stored: until the key expires, plus
// an hour of grace so late requests get ErrExpired rather than
// ErrUnauthorized.
func (s *Service) retention(k Key) time.Duration {
	return max(k.ExpiresAt.Sub(s.now()), 0) + time.Hour
}

// Authenticate checks a presented key and records its use.
func (s *Service) Authenticate(ctx context.Context, presented string) (Key, error) {
	id, secret, ok := strings.Cut(presented, ".")
	if !ok || id == "" || secret == "" {
		return Key{}, ErrUnauthorized
	}
	k, err := s.keys.Get(ctx, KeyID(id))
	if errors.Is(err, storage.ErrNotFound) {
		return Key{}, ErrUnauthorized
	}
	if err != nil {
		return Key{}, err
	}
	if subtle.ConstantTimeCompare([]byte(k.SecretHash), []byte(hashSecret(secret))) != 1 {
		return Key{}, ErrUnauthorized
	}
	now := s.now().UTC()
	if now.After(k.ExpiresAt) {
		return Key{}, ErrExpired
	}
	k.LastUsedAt = now
	if err := s.keys.PutTTL(ctx, k.ID, k, s.retention(k)); err != nil { // EXPECT kvsession
		s.log.WarnContext(ctx, "could not record key use", "key", k.ID, "err", err)
	}
	return k, nil
}

// SetScopes replaces the scopes of a key.
func (s *Service) SetScopes(ctx context.Context, id KeyID, scopes []Scope) (Key, error) {
	k, err := s.keys.Get(ctx, id)
	if err != nil {
		return Key{}, err
	}
	k.Scopes = slices.Clone(scopes)
	if err := s.keys.PutTTL(ctx, id, k, s.retention(k)); err != nil { // EXPECT kvsession
		return Key{}, err
	}
	return k, nil
}

// Revoke deletes a key so it can no longer be used.
func (s *Service) Revoke(ctx context.Context, id KeyID) error {
	if err := s.keys.Delete(ctx, id); err != nil { // EXPECT kvsession
		return err
	}
	s.log.InfoContext(ctx, "api key revoked", "key", id)
	return nil
}
