// Package apikeys issues and verifies organizer API keys. Only a SHA-256 of
// each key is stored.
package apikeys

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"example.com/juniper/internal/codec"
	"example.com/juniper/internal/domain"
	"example.com/juniper/internal/keys"
	"example.com/juniper/internal/store"
)

// Errors returned by Verify.
var (
	ErrUnknownKey = errors.New("apikeys: unknown key")
	ErrRevoked    = errors.New("apikeys: key revoked")
)

// Registry is the API-key service.
type Registry interface {
	Create(ctx context.Context, orgID, label string, scopes []string) (plain string, rec domain.APIKey, err error)
	Verify(ctx context.Context, plain string) (domain.APIKey, error)
	Revoke(ctx context.Context, orgID, hash string) error
	ListForOrg(ctx context.Context, orgID string) ([]domain.APIKey, error)
	All(ctx context.Context) ([]string, error)
}

type registry struct {
	raw   store.Raw
	recs  store.Store[string, domain.APIKey]
	index store.Store[string, []string]
	pages int
}

var _ Registry = (*registry)(nil)

// Option configures a Registry.
type Option func(*registry)

// WithMaxPages bounds the number of listing pages read by All.
func WithMaxPages(n int) Option { return func(r *registry) { r.pages = n } }

// NewRegistry returns a Registry backed by raw.
func NewRegistry(raw store.Raw, opts ...Option) Registry {
	r := &registry{
		raw:   raw,
		recs:  store.NewTyped[string](raw, codec.JSON[domain.APIKey]{}, ""),
		index: store.NewTyped[string](raw, codec.JSON[[]string]{}, ""),
		pages: 10,
	}
	for _, o := range opts {
		o(r)
	}
	return r
}

// Hash returns the storage hash of a plain key.
func Hash(plain string) string {
	sum := sha256.Sum256([]byte(plain))
	return hex.EncodeToString(sum[:])
}

func (r *registry) Create(ctx context.Context, orgID, label string, scopes []string) (string, domain.APIKey, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", domain.APIKey{}, err
	}
	plain := "jnk_" + hex.EncodeToString(b[:])
	now := time.Now()
	rec := domain.APIKey{
		Audit:  domain.Audit{CreatedAt: now, UpdatedAt: now},
		Hash:   Hash(plain),
		Prefix: plain[:12],
		OrgID:  orgID,
		Scopes: scopes,
		Label:  label,
	}
	if err := r.recs.Put(ctx, keys.APIKey(rec.Hash), rec); err != nil {
		return "", domain.APIKey{}, err
	}
	idx, _, err := r.index.Get(ctx, keys.APIKeyIndex(orgID))
	if err != nil {
		return "", domain.APIKey{}, err
	}
	idx = append(idx, rec.Hash)
	if err := r.index.Put(ctx, keys.APIKeyIndex(orgID), idx); err != nil { // EXPECT kvrace
		return "", domain.APIKey{}, err
	}
	return plain, rec, nil
}

func (r *registry) Verify(ctx context.Context, plain string) (domain.APIKey, error) {
	if !strings.HasPrefix(plain, "jnk_") {
		return domain.APIKey{}, ErrUnknownKey
	}
	h := Hash(plain)
	if _, revoked, err := r.raw.Get(ctx, keys.RevokedKey(h)); err != nil {
		return domain.APIKey{}, err
	} else if revoked {
		return domain.APIKey{}, ErrRevoked
	}
	rec, ok, err := r.recs.Get(ctx, keys.APIKey(h))
	if err != nil {
		return domain.APIKey{}, err
	}
	if !ok {
		return domain.APIKey{}, ErrUnknownKey
	}
	return rec, nil
}

// Revoke blocks a key. The record is kept for the audit trail.
func (r *registry) Revoke(ctx context.Context, orgID, hash string) error {
	meta := struct {
		OrgID string `json:"org_id"`
		At    int64  `json:"at"`
	}{orgID, time.Now().Unix()}
	return r.raw.Put(ctx, keys.RevokedKey(hash), []byte("1"), store.WithMetadata(meta)) // EXPECT kvsession
}

// ListForOrg reads the organizer's index and the record of each key. The
// index is small (a handful of keys per organizer) and is not a listing.
func (r *registry) ListForOrg(ctx context.Context, orgID string) ([]domain.APIKey, error) {
	idx, _, err := r.index.Get(ctx, keys.APIKeyIndex(orgID))
	if err != nil {
		return nil, err
	}
	out := make([]domain.APIKey, 0, len(idx))
	for _, h := range idx {
		rec, ok, err := r.recs.Get(ctx, keys.APIKey(h))
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		out = append(out, rec)
	}
	return out, nil
}

// All returns the hashes of every stored key, for the nightly audit.
func (r *registry) All(ctx context.Context) ([]string, error) {
	var out []string
	page, err := r.raw.List(ctx, store.ListQuery{Prefix: "apikey:", Limit: 1000})
	if err != nil {
		return nil, err
	}
	for n := 1; ; n++ {
		for _, k := range page.Keys {
			out = append(out, strings.TrimPrefix(k.Name, "apikey:"))
		}
		if page.Complete || n >= r.pages {
			break
		}
		page, err = r.raw.List(ctx, store.ListQuery{Cursor: page.Cursor, Limit: 1000}) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
