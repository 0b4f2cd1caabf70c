package kvnull

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"net/http"

	"github.com/cloudflare/cloudflare-go/v6"

	"kvlint.test/cfv6/ttlstore"
)

// vault keeps a data key per tenant in KV, sealed with a key-encryption
// key held in a field.
type vault struct {
	store *ttlstore.Store
	kek   cipher.AEAD
}

func seal(aead cipher.AEAD, plain []byte) []byte {
	nonce := make([]byte, aead.NonceSize())
	_, _ = rand.Read(nonce)
	return aead.Seal(nonce, nonce, plain, nil)
}

func unseal(aead cipher.AEAD, sealed []byte) ([]byte, error) {
	n := aead.NonceSize()
	return aead.Open(nil, sealed[:n], sealed[n:], nil)
}

// Any failure of the read makes a new data key, written over the stored
// one: after a timeout, what was sealed with the old key cannot be read.
// The field the key is sealed with is configuration, not data from
// elsewhere.
func (v *vault) dataKey(ctx context.Context, tenant string) (cipher.AEAD, error) {
	key := "keyring:" + tenant
	var dek []byte
	raw, err := v.store.Get(ctx, key) // want `every error of this get is taken for a missing key`
	if err == nil {
		if dek, err = unseal(v.kek, raw); err != nil {
			return nil, err
		}
	} else {
		dek = make([]byte, 32)
		if _, err := rand.Read(dek); err != nil {
			return nil, err
		}
		if err := v.store.Put(ctx, key, seal(v.kek, dek), 0); err != nil {
			return nil, err
		}
	}
	block, err := aes.NewCipher(dek)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// Quiet: only a missing key makes a new data key.
func (v *vault) dataKeyOnMiss(ctx context.Context, tenant string) (cipher.AEAD, error) {
	key := "keyring:" + tenant
	var dek []byte
	raw, err := v.store.Get(ctx, key)
	var apiErr *cloudflare.Error
	switch {
	case errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound:
		dek = make([]byte, 32)
		if _, err := rand.Read(dek); err != nil {
			return nil, err
		}
		if err := v.store.Put(ctx, key, seal(v.kek, dek), 0); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	default:
		if dek, err = unseal(v.kek, raw); err != nil {
			return nil, err
		}
	}
	block, err := aes.NewCipher(dek)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// Seal encrypts a tenant's secret with the tenant's data key.
func (v *vault) Seal(ctx context.Context, tenant string, secret []byte) ([]byte, error) {
	aead, err := v.dataKey(ctx, tenant)
	if err != nil {
		return nil, err
	}
	return seal(aead, secret), nil
}
