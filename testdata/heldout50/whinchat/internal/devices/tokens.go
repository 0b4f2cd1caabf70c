package devices

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	"github.com/whinchat/fleet/internal/catalog"
	"github.com/whinchat/fleet/internal/kvstore"
)

// ErrUnauthorized is returned for unknown, expired or revoked device tokens.
var ErrUnauthorized = errors.New("devices: unauthorized")

// DeviceToken is the record behind a device bearer token. Only the hash of
// the secret is stored.
type DeviceToken struct {
	Hash     string    `json:"hash"`
	Tenant   string    `json:"tenant"`
	DeviceID string    `json:"device_id"`
	Expires  time.Time `json:"expires"`
}

// Tokens issues and verifies device tokens.
type Tokens struct {
	byHash   kvstore.Space // token/hash/<sha256>
	byDevice kvstore.Space // token/device/<tenant>/<device> -> current hash
	revoked  kvstore.Space // token/revoked/<sha256>
}

// NewTokens returns the token service rooted at the fleet namespace.
func NewTokens(root kvstore.Space) *Tokens {
	t := root.Scope(catalog.KindDeviceToken.Prefix())
	return &Tokens{
		byHash:   t.Scope("hash"),
		byDevice: t.Scope("device"),
		revoked:  t.Scope("revoked"),
	}
}

// Issue mints the first token of a freshly paired device. The token is valid
// for as long as the device certificate.
func (t *Tokens) Issue(ctx context.Context, tenant, device string, certNotAfter time.Time) (string, error) {
	secret, hash, err := newSecret()
	if err != nil {
		return "", err
	}
	rec := DeviceToken{Hash: hash, Tenant: tenant, DeviceID: device, Expires: certNotAfter}
	body, err := json.Marshal(rec)
	if err != nil {
		return "", err
	}
	if err := t.byHash.Put(ctx, hash, body, time.Until(certNotAfter)); err != nil { // EXPECT kvttl
		return "", err
	}
	if err := t.byDevice.Scope(tenant).Put(ctx, device, []byte(hash), 0); err != nil {
		return "", err
	}
	return secret, nil
}

// Reissue mints a token for a device whose certificate was renewed. The new
// lifetime follows the renewed certificate but never drops below a day.
func (t *Tokens) Reissue(ctx context.Context, tenant, device string, certNotAfter time.Time) (string, error) {
	secret, hash, err := newSecret()
	if err != nil {
		return "", err
	}
	body, err := json.Marshal(DeviceToken{Hash: hash, Tenant: tenant, DeviceID: device, Expires: certNotAfter})
	if err != nil {
		return "", err
	}
	ttl := max(time.Until(certNotAfter), 24*time.Hour)
	if err := t.byHash.Put(ctx, hash, body, ttl); err != nil {
		return "", err
	}
	return secret, nil
}

// Rotate replaces a device's current token. The previous token stays valid
// until its own expiry so that uploads already in flight are accepted.
func (t *Tokens) Rotate(ctx context.Context, tenant, device string) (string, error) {
	current := t.byDevice.Scope(tenant)
	old, err := current.Get(ctx, device)
	if errors.Is(err, kvstore.ErrNotFound) {
		return "", ErrUnauthorized
	}
	if err != nil {
		return "", err
	}
	secret, hash, err := newSecret()
	if err != nil {
		return "", err
	}
	rec := DeviceToken{Hash: hash, Tenant: tenant, DeviceID: device, Expires: time.Now().Add(catalog.KindDeviceToken.TTL())}
	body, err := json.Marshal(rec)
	if err != nil {
		return "", err
	}
	if err := t.byHash.Put(ctx, hash, body, catalog.KindDeviceToken.TTL()); err != nil {
		return "", err
	}
	if err := current.Put(ctx, device, []byte(hash), 0); err != nil { // EXPECT kvsession
		return "", err
	}
	slog.InfoContext(ctx, "device token rotated", "device", device, "previous", string(old)[:min(8, len(old))])
	return secret, nil
}

// Verify resolves a presented secret to its token record.
func (t *Tokens) Verify(ctx context.Context, secret string) (DeviceToken, error) {
	hash := hashSecret(secret)
	rec, err := kvstore.Load[DeviceToken](ctx, t.byHash, hash)
	if errors.Is(err, kvstore.ErrNotFound) {
		return DeviceToken{}, ErrUnauthorized
	}
	if err != nil {
		return DeviceToken{}, err
	}
	if time.Now().After(rec.Expires) {
		return DeviceToken{}, ErrUnauthorized
	}
	switch _, err := t.revoked.Get(ctx, hash); {
	case err == nil:
		return DeviceToken{}, ErrUnauthorized
	case !errors.Is(err, kvstore.ErrNotFound):
		return DeviceToken{}, err
	}
	return rec, nil
}

func newSecret() (secret, hash string, err error) {
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return "", "", err
	}
	secret = base64.RawURLEncoding.EncodeToString(buf)
	return secret, hashSecret(secret), nil
}

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}
