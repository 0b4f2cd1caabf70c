// Package apikeys issues and checks tenant API keys and owns tenant slugs.
package apikeys

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"regexp"
	"slices"
	"strings"

	"example.com/cinder/internal/clock"
	"example.com/cinder/internal/domain"
	"example.com/cinder/internal/repo"
	"example.com/cinder/internal/storage"
)

var (
	ErrUnknownKey = errors.New("apikeys: unknown key")
	ErrSlugTaken  = errors.New("apikeys: slug already taken")
	ErrBadSlug    = errors.New("apikeys: invalid slug")
	ErrScope      = errors.New("apikeys: scope not granted")
)

const secretPrefix = "cnd_live_"

var (
	keyFamily  = storage.NewKey[domain.APIKey]("api-token")
	slugFamily = storage.NewKey[string]("slug")
	slugRE     = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$`)
)

// Registry stores API keys by the hash of their secret.
type Registry struct {
	keys  *repo.Repo[domain.APIKey]
	slugs *repo.Repo[string]
	clock clock.Clock
}

// NewRegistry builds a Registry on store.
func NewRegistry(store storage.Store, c clock.Clock) *Registry {
	return &Registry{
		keys:  repo.New(store, keyFamily),
		slugs: repo.New(store, slugFamily),
		clock: c,
	}
}

// Hash returns the lookup hash for a presented secret.
func Hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Issue creates a key and returns its secret, which is shown once.
func (r *Registry) Issue(ctx context.Context, tenant, label string, scopes []string) (string, domain.APIKey, error) {
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", domain.APIKey{}, err
	}
	secret := secretPrefix + base64.RawURLEncoding.EncodeToString(raw[:])
	k := domain.APIKey{
		ID:        hex.EncodeToString(raw[:6]),
		TenantID:  tenant,
		Label:     label,
		Hash:      Hash(secret),
		Scopes:    scopes,
		CreatedAt: r.clock.Now(),
	}
	if err := r.keys.Put(ctx, k.Hash, k); err != nil {
		return "", domain.APIKey{}, err
	}
	return secret, k, nil
}

// Authenticate resolves a presented secret and checks it grants scope.
func (r *Registry) Authenticate(ctx context.Context, secret, scope string) (domain.APIKey, error) {
	if !strings.HasPrefix(secret, secretPrefix) {
		return domain.APIKey{}, ErrUnknownKey
	}
	k, err := r.keys.Find(ctx, Hash(secret))
	if errors.Is(err, storage.ErrNotFound) {
		return domain.APIKey{}, ErrUnknownKey
	}
	if err != nil {
		return domain.APIKey{}, err
	}
	if scope != "" && !slices.Contains(k.Scopes, scope) {
		return domain.APIKey{}, ErrScope
	}
	return k, nil
}

// Revoke removes a key so that it no longer authenticates.
func (r *Registry) Revoke(ctx context.Context, hash string) error {
	return r.keys.Delete(ctx, hash) // EXPECT kvsession
}

// ClaimSlug reserves slug for tenant, failing if another tenant holds it.
func (r *Registry) ClaimSlug(ctx context.Context, tenant, slug string) error {
	slug = strings.ToLower(slug)
	if !slugRE.MatchString(slug) {
		return ErrBadSlug
	}
	taken, err := r.slugs.Exists(ctx, slug)
	if err != nil {
		return err
	}
	if taken {
		return ErrSlugTaken
	}
	return r.slugs.Put(ctx, slug, tenant) // EXPECT kvrace
}
