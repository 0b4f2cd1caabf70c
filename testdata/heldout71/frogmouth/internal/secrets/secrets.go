// Package secrets stores tenant secrets, encrypted with a per-tenant data
// key, and the deploy tokens that CI systems use to publish functions.
package secrets

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/frogmouth-dev/frogmouth/internal/kvstore"
)

// ErrNotFound is returned for unknown secrets and tokens.
var ErrNotFound = errors.New("secrets: not found")

const deployTokenLifetime = 90 * 24 * time.Hour

// Vault is the secrets API of one installation.
type Vault struct {
	store *kvstore.Store
	kek   cipher.AEAD
}

// NewVault wraps the secrets namespace. kek encrypts the per-tenant keys.
func NewVault(store *kvstore.Store, kek []byte) (*Vault, error) {
	block, err := aes.NewCipher(kek)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Vault{store: store, kek: aead}, nil
}

func seal(aead cipher.AEAD, plain []byte) []byte {
	nonce := make([]byte, aead.NonceSize())
	_, _ = rand.Read(nonce)
	return aead.Seal(nonce, nonce, plain, nil)
}

func open(aead cipher.AEAD, sealed []byte) ([]byte, error) {
	if len(sealed) < aead.NonceSize() {
		return nil, errors.New("secrets: short ciphertext")
	}
	n := aead.NonceSize()
	return aead.Open(nil, sealed[:n], sealed[n:], nil)
}

// keyring returns the tenant's data key, creating it on first use.
func (v *Vault) keyring(ctx context.Context, tenant string) (cipher.AEAD, error) {
	key := "keyring:" + tenant
	var dek []byte
	raw, err := v.store.Get(ctx, key) // EXPECT kvnull
	if err == nil {
		dek, err = open(v.kek, raw)
		if err != nil {
			return nil, fmt.Errorf("keyring %s: %w", tenant, err)
		}
	} else {
		dek = make([]byte, 32)
		if _, err := rand.Read(dek); err != nil {
			return nil, err
		}
		if err := v.store.Put(ctx, key, seal(v.kek, dek), 0); err != nil { // DEBATABLE kvrace
			return nil, err
		}
	}
	block, err := aes.NewCipher(dek)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// SecretMeta is kept in key metadata so that listings need no reads.
type SecretMeta struct {
	UpdatedAt int64  `json:"u"`
	Hint      string `json:"h"`
}

func secretKey(tenant, name string) string { return "secret:" + tenant + ":" + name }

// Set stores a secret for a tenant.
func (v *Vault) Set(ctx context.Context, tenant, name string, value []byte) error {
	aead, err := v.keyring(ctx, tenant)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(value)
	meta := SecretMeta{UpdatedAt: time.Now().Unix(), Hint: hex.EncodeToString(sum[:3])}
	if err := v.store.PutWithMetadata(ctx, secretKey(tenant, name), seal(aead, value), 0, meta); err != nil {
		return err
	}
	return v.addToIndex(ctx, tenant, name)
}

// addToIndex keeps the list of secret names that the function runtime
// injects as bindings.
func (v *Vault) addToIndex(ctx context.Context, tenant, name string) error {
	key := "secrets-index:" + tenant
	var names []string
	raw, err := v.store.Get(ctx, key)
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	if err == nil {
		if err := json.Unmarshal(raw, &names); err != nil {
			return err
		}
	}
	if slices.Contains(names, name) {
		return nil
	}
	names = append(names, name)
	slices.Sort(names)
	buf, _ := json.Marshal(names)
	return v.store.Put(ctx, key, buf, 0) // EXPECT kvrace
}

// DeployToken is what CI presents to publish a function.
type DeployToken struct {
	Tenant    string    `json:"tenant"`
	Function  string    `json:"function,omitempty"`
	CreatedBy string    `json:"created_by"`
	ExpiresAt time.Time `json:"expires_at"`
}

func tokenKey(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return "deploy-token:" + hex.EncodeToString(sum[:])
}

// IssueDeployToken mints a token and stores its hash.
func (v *Vault) IssueDeployToken(ctx context.Context, t DeployToken) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	raw := "fmd_" + base64.RawURLEncoding.EncodeToString(b)
	t.ExpiresAt = time.Now().Add(deployTokenLifetime).UTC()
	buf, _ := json.Marshal(t)
	if err := v.store.Put(ctx, tokenKey(raw), buf, deployTokenLifetime); err != nil {
		return "", err
	}
	return raw, nil
}

// RevokeDeployToken invalidates a token, e.g. after it leaked in a CI log.
func (v *Vault) RevokeDeployToken(ctx context.Context, raw string) error {
	return v.store.Delete(ctx, tokenKey(raw)) // EXPECT kvsession
}
