// Package apikeys issues and revokes the SDK keys edge SDKs and backends use
// to fetch flag bundles. Secrets are shown once and stored only as hashes.
package apikeys

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/flagship/internal/kvkey"
	"example.com/flagship/internal/storage"
	"example.com/flagship/internal/typed"
)

// Record is what is stored for a key.
type Record struct {
	ID        string    `json:"id"`
	Project   string    `json:"project"`
	Env       string    `json:"env"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// Errors.
var (
	ErrUnknownKey = errors.New("apikeys: unknown key")
	ErrRevoked    = errors.New("apikeys: key revoked")
	ErrMalformed  = errors.New("apikeys: malformed key")
)

const secretPrefix = "fs_sdk_"

// Service issues, verifies and revokes keys.
type Service struct {
	records *typed.Store[Record]
	kv      storage.Store

	cf        *cloudflare.Client
	account   string
	namespace string
}

// New returns a service. kvs must be the keys namespace, namespace its ID.
func New(kvs storage.Store, cf *cloudflare.Client, account, namespace string) *Service {
	return &Service{records: typed.New[Record](kvs, kvkey.SDKKeys, nil), kv: kvs, cf: cf, account: account, namespace: namespace}
}

// Issue mints a key and returns the secret, which is not stored.
func (s *Service) Issue(ctx context.Context, project, env, actor string, validFor time.Duration) (string, Record, error) {
	secret := secretPrefix + kvkey.NewID() + kvkey.NewID()
	rec := Record{ID: kvkey.NewID()[:12], Project: project, Env: env, CreatedBy: actor, CreatedAt: time.Now().UTC()}
	if err := s.records.Put(ctx, kvkey.Hash(secret), rec, validFor); err != nil {
		return "", Record{}, fmt.Errorf("apikeys: issue: %w", err)
	}
	return secret, rec, nil
}

func revokedKey(id string) string { return kvkey.Key("revoked").Child(id).String() }

// Verify resolves a presented secret to its record.
func (s *Service) Verify(ctx context.Context, secret string) (Record, error) {
	if !strings.HasPrefix(secret, secretPrefix) {
		return Record{}, ErrMalformed
	}
	rec, err := s.records.Get(ctx, kvkey.Hash(secret))
	if errors.Is(err, storage.ErrNotFound) {
		return Record{}, ErrUnknownKey
	}
	if err != nil {
		return Record{}, err
	}
	if _, err := s.kv.Get(ctx, revokedKey(rec.ID)); err == nil {
		return Record{}, ErrRevoked
	} else if !storage.IsNotFound(err) {
		return Record{}, err
	}
	return rec, nil
}

// Revoke deletes the key record for secret.
func (s *Service) Revoke(ctx context.Context, secret string) error {
	key := kvkey.SDKKeys.Child(kvkey.Hash(secret)).String()
	_, err := s.cf.KV.Namespaces.Values.Delete(ctx, s.namespace, key, kv.NamespaceValueDeleteParams{ // EXPECT kvsession
		AccountID: cloudflare.F(s.account),
	})
	return err
}

// RevokeByID blocks a key when only its ID is known (support staff never
// see secrets, so they cannot use Revoke).
func (s *Service) RevokeByID(ctx context.Context, id, actor, reason string) error {
	v := fmt.Sprintf(`{"by":%q,"reason":%q,"at":%q}`, actor, reason, time.Now().UTC().Format(time.RFC3339))
	return s.kv.Put(ctx, revokedKey(id), []byte(v)) // EXPECT kvsession
}
