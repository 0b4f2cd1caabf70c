package partner

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"time"
)

// ErrUnauthorized is returned for unknown API keys.
var ErrUnauthorized = errors.New("partner: unauthorized")

// ErrQuota is returned when a key used up its daily quota.
var ErrQuota = errors.New("partner: daily quota exceeded")

// KeyRecord describes a stored API key. Keys are stored under the SHA-256
// of the secret, never the secret itself.
type KeyRecord struct {
	PartnerID string    `json:"partner_id"`
	Scopes    []string  `json:"scopes"`
	Created   time.Time `json:"created"`
}

// KeyRing stores API keys by hash; implemented by infra/cfsdk.
type KeyRing interface {
	Create(ctx context.Context, hash string, rec KeyRecord) error
	Lookup(ctx context.Context, hash string) (KeyRecord, bool, error)
	Rotate(ctx context.Context, oldHash, newHash string) error
}

// Quota counts calls per key and day; implemented by infra/cfrest.
type Quota interface {
	Hit(ctx context.Context, apiKeyID string) (int, error)
}

// Auditor records administrative actions; implemented by infra/cfrest.
type Auditor interface {
	Append(ctx context.Context, partnerID, actor, action, detail string) error
}

// Keys authenticates partner API calls and manages keys.
type Keys struct {
	ring   KeyRing
	quota  Quota
	audit  Auditor
	limit  int
	prefix string
}

// NewKeys returns the key service.
func NewKeys(ring KeyRing, quota Quota, audit Auditor, dailyLimit int) *Keys {
	return &Keys{ring: ring, quota: quota, audit: audit, limit: dailyLimit, prefix: "clw_"}
}

func hashKey(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func (k *Keys) newSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return k.prefix + base64.RawURLEncoding.EncodeToString(b)
}

// Authenticate resolves a secret to its partner and charges the call
// against the key's quota.
func (k *Keys) Authenticate(ctx context.Context, secret string) (KeyRecord, error) {
	h := hashKey(secret)
	rec, ok, err := k.ring.Lookup(ctx, h)
	if err != nil {
		return KeyRecord{}, err
	}
	if !ok {
		return KeyRecord{}, ErrUnauthorized
	}
	n, err := k.quota.Hit(ctx, h[:16])
	if err != nil {
		return KeyRecord{}, err
	}
	if n > k.limit {
		return KeyRecord{}, ErrQuota
	}
	return rec, nil
}

// Rotate replaces a key and returns the new secret.
func (k *Keys) Rotate(ctx context.Context, partnerID, actor, oldSecret string) (string, error) {
	secret := k.newSecret()
	if err := k.ring.Rotate(ctx, hashKey(oldSecret), hashKey(secret)); err != nil {
		return "", err
	}
	return secret, k.audit.Append(ctx, partnerID, actor, "key.rotate", "")
}
