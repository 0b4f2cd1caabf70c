package tenant

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"wagtail/internal/kvstore"
)

// ErrUnknownKey is returned for an API key that does not exist.
var ErrUnknownKey = errors.New("tenant: unknown api key")

const keyPrefix = "whk_"

// APIKey is a tenant credential. Only its SHA-256 digest is stored.
type APIKey struct {
	ID        string    `json:"id"`
	TenantID  string    `json:"tenant_id"`
	Name      string    `json:"name"`
	Scopes    []string  `json:"scopes"`
	CreatedAt time.Time `json:"created_at"`
	LastUsed  string    `json:"last_used_at,omitempty"`
}

// KeyRepo stores API keys by digest, with a per-tenant index.
type KeyRepo struct {
	kvstore.Base
	index func(parts ...string) string
}

// NewKeyRepo returns a KeyRepo in namespace ns.
func NewKeyRepo(ns string) *KeyRepo {
	return &KeyRepo{
		Base:  kvstore.NewBase(ns, kvstore.KindAPIKey),
		index: kvstore.Prefixed("tk"),
	}
}

// Issue creates a key and returns its plaintext, which is not stored.
func (r *KeyRepo) Issue(ctx context.Context, tenantID, name string, scopes []string) (string, APIKey, error) {
	secret := randomSecret(32)
	k := APIKey{
		ID:        NewID("key"),
		TenantID:  tenantID,
		Name:      name,
		Scopes:    scopes,
		CreatedAt: time.Now().UTC(),
	}
	hash := digest(secret)
	if err := r.PutJSON(ctx, r.KeyOf(hash), k, 0); err != nil {
		return "", APIKey{}, fmt.Errorf("issue key: %w", err)
	}
	meta := map[string]any{"name": name, "preview": secret[:6]}
	if err := kvstore.PutWithMeta(ctx, r.NS, r.index(tenantID, k.ID), []byte(hash), meta, 0); err != nil {
		return "", APIKey{}, fmt.Errorf("index key: %w", err)
	}
	return keyPrefix + secret, k, nil
}

// Authenticate resolves a presented key and records its use.
func (r *KeyRepo) Authenticate(ctx context.Context, presented string) (APIKey, error) {
	if !strings.HasPrefix(presented, keyPrefix) {
		return APIKey{}, ErrUnknownKey
	}
	key := r.KeyOf(digest(strings.TrimPrefix(presented, keyPrefix)))
	var k APIKey
	if err := r.GetJSON(ctx, key, &k); err != nil {
		if kvstore.IsMiss(err) {
			return APIKey{}, ErrUnknownKey
		}
		return APIKey{}, err
	}
	if err := r.Touch(ctx, key, "last_used_at", time.Now()); err != nil { // DEBATABLE kvhotkey
		return k, fmt.Errorf("record key use: %w", err)
	}
	return k, nil
}

// Revoke deletes a key and its index entry.
func (r *KeyRepo) Revoke(ctx context.Context, tenantID, keyID string) error {
	idx := r.index(tenantID, keyID)
	hash, err := r.GetRaw(ctx, idx)
	if err != nil {
		if kvstore.IsMiss(err) {
			return ErrUnknownKey
		}
		return err
	}
	if err := r.Remove(ctx, r.KeyOf(string(hash))); err != nil { // DEBATABLE kvsession
		return err
	}
	return r.Remove(ctx, idx)
}
