// Package apikey manages tenant API keys, their rate limits and quotas.
package apikey

import (
	"context"
	"errors"
	"strings"
	"time"

	"example.com/authgw/internal/ids"
	"example.com/authgw/internal/kvport"
	"example.com/authgw/internal/repo"
)

var (
	ErrLabelTaken = errors.New("apikey: label already in use")
	ErrUnknownKey = errors.New("apikey: unknown or revoked key")
)

// keyPrefix is visible in issued keys so leaked keys are easy to grep for.
const keyPrefix = "agw_"

// Key is the stored record. The secret itself is never stored.
type Key struct {
	ID           string    `json:"id"`
	TenantID     string    `json:"tenant"`
	Label        string    `json:"label"`
	Hash         string    `json:"hash"`
	Scopes       []string  `json:"scopes"`
	PerMinute    int       `json:"per_minute"`
	MonthlyQuota int64     `json:"monthly_quota"`
	CreatedAt    time.Time `json:"created_at"`
	LastUsedAt   time.Time `json:"last_used_at,omitzero"`
}

// Limits are chosen per key at creation.
type Limits struct {
	PerMinute    int
	MonthlyQuota int64
}

// Store is the key registry.
type Store struct {
	kv  kvport.Store
	now func() time.Time
}

func NewStore(kv kvport.Store) *Store { return &Store{kv: kv, now: time.Now} }

func recordKey(hash string) string   { return "key:h:" + hash }
func idKey(tenant, id string) string { return "key:id:" + tenant + ":" + id }
func labelKey(tenant, label string) string {
	return "key:label:" + tenant + ":" + strings.ToLower(label)
}

// Create issues a key and returns the secret, which is shown exactly once.
func (s *Store) Create(ctx context.Context, tenant, label string, scopes []string, lim Limits) (string, *Key, error) {
	claim := labelKey(tenant, label)
	switch _, err := s.kv.Get(ctx, claim); {
	case err == nil:
		return "", nil, ErrLabelTaken
	case !kvport.IsNotFound(err):
		return "", nil, err
	}

	secret := keyPrefix + ids.Secret(30)
	k := &Key{
		ID: ids.New(), TenantID: tenant, Label: label, Hash: ids.Hash(secret), Scopes: scopes,
		PerMinute: lim.PerMinute, MonthlyQuota: lim.MonthlyQuota, CreatedAt: s.now().UTC(),
	}
	if err := s.kv.Put(ctx, claim, []byte(k.ID)); err != nil { // EXPECT kvrace
		return "", nil, err
	}
	if err := repo.PutJSON(ctx, s.kv, recordKey(k.Hash), k); err != nil {
		return "", nil, err
	}
	if err := s.kv.Put(ctx, idKey(tenant, k.ID), []byte(k.Hash)); err != nil {
		return "", nil, err
	}
	return secret, k, nil
}

// Verify resolves a presented secret to its key.
func (s *Store) Verify(ctx context.Context, secret string) (*Key, error) {
	if !strings.HasPrefix(secret, keyPrefix) {
		return nil, ErrUnknownKey
	}
	// Keys are write-once; a short edge cache keeps the hot path off the
	// origin while still letting revocations land quickly.
	k, err := repo.GetJSON[Key](ctx, s.kv, recordKey(ids.Hash(secret)),
		kvport.WithCacheTTL(15*time.Second)) // EXPECT kvttl
	if kvport.IsNotFound(err) {
		return nil, ErrUnknownKey
	}
	if err != nil {
		return nil, err
	}
	return &k, nil
}

// Touch records that k was used. Updates are throttled to one an hour.
func (s *Store) Touch(ctx context.Context, k *Key) error {
	now := s.now().UTC()
	if now.Sub(k.LastUsedAt) < time.Hour {
		return nil
	}
	cur, err := repo.GetJSON[Key](ctx, s.kv, recordKey(k.Hash))
	if err != nil {
		return err
	}
	cur.LastUsedAt = now
	return repo.PutJSON(ctx, s.kv, recordKey(k.Hash), cur) // EXPECT kvrace
}

// Revoke deletes a key by id.
func (s *Store) Revoke(ctx context.Context, tenant, id string) error {
	hash, err := s.kv.Get(ctx, idKey(tenant, id))
	if kvport.IsNotFound(err) {
		return ErrUnknownKey
	}
	if err != nil {
		return err
	}
	k, err := repo.GetJSON[Key](ctx, s.kv, recordKey(string(hash)))
	if err != nil && !kvport.IsNotFound(err) {
		return err
	}
	if err := s.kv.Delete(ctx, recordKey(string(hash))); err != nil { // DEBATABLE kvsession
		return err
	}
	if k.Label != "" {
		_ = s.kv.Delete(ctx, labelKey(tenant, k.Label))
	}
	return s.kv.Delete(ctx, idKey(tenant, id))
}

// Page is one page of a tenant's key ids.
type Page struct {
	IDs    []string `json:"ids"`
	Cursor string   `json:"cursor,omitempty"`
}

// ListPage returns one page of key ids for tenant; pass the returned cursor
// back to continue.
func (s *Store) ListPage(ctx context.Context, tenant, cursor string, limit int) (Page, error) {
	prefix := "key:id:" + tenant + ":"
	res, err := s.kv.List(ctx, kvport.ListQuery{Prefix: prefix, Cursor: cursor, Limit: min(max(limit, 1), 100)})
	if err != nil {
		return Page{}, err
	}
	p := Page{}
	for _, k := range res.Keys {
		p.IDs = append(p.IDs, strings.TrimPrefix(k.Name, prefix))
	}
	if !res.Complete {
		p.Cursor = res.Cursor
	}
	return p, nil
}
