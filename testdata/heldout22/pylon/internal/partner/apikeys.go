// Package partner manages partner labs: their API keys, their directory
// entry, and their request quotas.
package partner

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"example.com/pylon/internal/fp"
	"example.com/pylon/internal/repo"
	"example.com/pylon/internal/storage"
	"example.com/pylon/internal/storage/metacodec"
)

// Key is a partner API key. Only the hash of the secret is stored.
type Key struct {
	ID        string    `kvmeta:"id"`
	PartnerID string    `kvmeta:"p"`
	Scopes    string    `kvmeta:"sc"`
	Label     string    `kvmeta:"l,omitempty"`
	Created   time.Time `kvmeta:"c"`
	Hash      string    `kvmeta:"-"`
}

// ErrUnknownKey is returned for secrets that match no key.
var ErrUnknownKey = errors.New("partner: unknown API key")

const keyPrefix = "apikey:"

// Keys stores API keys by the hash of their secret.
type Keys struct {
	repo   *repo.Repo[Key]
	store  storage.Writer
	lister storage.Lister
	now    func() time.Time
}

// NewKeys wires the key store. The listing metadata carries everything the
// admin screen shows, so listing never fetches values.
func NewKeys(store storage.Store) *Keys {
	meta := func(k Key) map[string]any { return fp.Must(metacodec.Encode(k)) }
	return &Keys{
		repo:   repo.New[Key](store, keyPrefix, repo.WithMetadata(meta)),
		store:  store,
		lister: store,
		now:    time.Now,
	}
}

// Hash returns the lookup hash of a secret.
func Hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Issue creates a key and returns its secret, which is shown once.
func (k *Keys) Issue(ctx context.Context, partnerID string, scopes []string, label string) (string, Key, error) {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", Key{}, err
	}
	secret := "pyl_" + hex.EncodeToString(b[:])
	key := Key{
		ID:        secret[:12],
		PartnerID: partnerID,
		Scopes:    strings.Join(scopes, " "),
		Label:     label,
		Created:   k.now().UTC(),
		Hash:      Hash(secret),
	}
	return secret, key, k.repo.Save(ctx, key.Hash, key)
}

// Verify resolves a presented secret.
func (k *Keys) Verify(ctx context.Context, secret string) (Key, error) {
	key, err := k.repo.Get(ctx, Hash(secret))
	if errors.Is(err, storage.ErrNotFound) {
		return Key{}, ErrUnknownKey
	}
	return key, err
}

// Revoke deletes a key. Partners rotate keys through the admin screen.
func (k *Keys) Revoke(ctx context.Context, hash string) error {
	return k.repo.Delete(ctx, hash) // DEBATABLE kvsession
}

// List returns a partner's keys from listing metadata, reading at most ten
// pages.
func (k *Keys) List(ctx context.Context, partnerID string) ([]Key, error) {
	var out []Key
	_, err := storage.WalkBounded(ctx, k.lister, keyPrefix, storage.Budget{MaxPages: 10}, func(info storage.KeyInfo) error {
		var key Key
		if err := metacodec.Decode(info.Metadata, &key); err != nil {
			return fmt.Errorf("partner: key metadata %s: %w", info.Name, err)
		}
		if key.PartnerID == partnerID {
			key.Hash = strings.TrimPrefix(info.Name, keyPrefix)
			out = append(out, key)
		}
		return nil
	})
	if errors.Is(err, storage.ErrBudget) {
		err = nil
	}
	return out, err
}
