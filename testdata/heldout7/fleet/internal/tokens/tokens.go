// Package tokens issues, verifies and rotates device API tokens. Edge Workers
// authenticate device traffic by looking the token hash up in KV.
package tokens

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"example.com/fleet/internal/store"
)

// ErrInvalid is returned for unknown, expired or revoked tokens.
var ErrInvalid = errors.New("tokens: invalid token")

// Record is what the edge Worker reads under "token:<sha256>".
type Record struct {
	DeviceID  string    `json:"device_id"`
	Tenant    string    `json:"tenant"`
	IssuedAt  time.Time `json:"issued_at"`
	ExpiresAt time.Time `json:"expires_at"`
	Revoked   bool      `json:"revoked,omitempty"`
}

// Issuer manages device tokens.
type Issuer struct {
	s        store.Store
	lifetime time.Duration
	now      func() time.Time

	mu       sync.Mutex
	failures map[string]int
}

// NewIssuer returns an Issuer whose tokens live for lifetime.
func NewIssuer(s store.Store, lifetime time.Duration) *Issuer {
	return &Issuer{s: s, lifetime: lifetime, now: time.Now, failures: map[string]int{}}
}

// Hash returns the lookup hash of a raw token.
func Hash(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(sum[:])
}

func tokenKey(hash string) string { return "token:" + hash }

// Issue mints a token for deviceID and returns the raw secret.
func (i *Issuer) Issue(ctx context.Context, tenant, deviceID string) (string, error) {
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return "", err
	}
	raw := "fdt_" + hex.EncodeToString(buf)
	now := i.now()
	rec := Record{DeviceID: deviceID, Tenant: tenant, IssuedAt: now, ExpiresAt: now.Add(i.lifetime)}
	b, err := json.Marshal(rec)
	if err != nil {
		return "", err
	}
	if err := i.s.Put(ctx, tokenKey(Hash(raw)), b, store.WithTTL(i.lifetime)); err != nil { // DEBATABLE kvsession
		return "", err
	}
	return raw, nil
}

// Verify looks a raw token up and returns its record.
func (i *Issuer) Verify(ctx context.Context, raw string) (Record, error) {
	b, err := i.s.Get(ctx, tokenKey(Hash(raw)))
	if errors.Is(err, store.ErrNotFound) {
		return Record{}, ErrInvalid
	}
	if err != nil {
		return Record{}, err
	}
	var rec Record
	if err := json.Unmarshal(b, &rec); err != nil {
		return Record{}, err
	}
	if rec.Revoked || i.now().After(rec.ExpiresAt) {
		return Record{}, ErrInvalid
	}
	return rec, nil
}

// NoteFailure records a failed authentication for deviceID so the edge can
// start challenging it.
func (i *Issuer) NoteFailure(ctx context.Context, deviceID string) error {
	i.mu.Lock()
	i.failures[deviceID]++
	n := i.failures[deviceID]
	i.mu.Unlock()
	return i.s.Put(ctx, "authfail:"+deviceID, []byte(strconv.Itoa(n)), store.WithTTL(time.Hour)) // EXPECT kvcounter
}

// Rotate issues a new token for the device and retires the old one.
func (i *Issuer) Rotate(ctx context.Context, oldRaw string) (string, error) {
	rec, err := i.Verify(ctx, oldRaw)
	if err != nil {
		return "", err
	}
	fresh, err := i.Issue(ctx, rec.Tenant, rec.DeviceID)
	if err != nil {
		return "", err
	}
	if err := i.s.Delete(ctx, tokenKey(Hash(oldRaw))); err != nil { // EXPECT kvsession
		return "", fmt.Errorf("retire old token: %w", err)
	}
	return fresh, nil
}

// Revoke marks a token as revoked. The record is kept for another token
// lifetime so audit queries can still resolve it.
func (i *Issuer) Revoke(ctx context.Context, hash string) error {
	key := tokenKey(hash)
	b, err := i.s.Get(ctx, key)
	if err != nil {
		return err
	}
	var rec Record
	if err := json.Unmarshal(b, &rec); err != nil {
		return err
	}
	rec.Revoked = true
	out, _ := json.Marshal(rec)
	return i.s.Put(ctx, key, out, store.WithTTL(i.lifetime)) // EXPECT kvsession
}

// DenyDevice adds deviceID to the tenant's deny list, which the edge Worker
// checks before the token lookup.
func (i *Issuer) DenyDevice(ctx context.Context, tenant, deviceID string) error {
	key := "denylist:" + tenant
	var ids []string
	b, err := i.s.Get(ctx, key)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(b, &ids); err != nil {
			return err
		}
	}
	if slices.Contains(ids, deviceID) {
		return nil
	}
	ids = append(ids, deviceID)
	out, _ := json.Marshal(ids)
	return i.s.Put(ctx, key, out) // EXPECT kvsession
}

// Reissue replaces a token record that is about to expire with a fresh one
// ending at until (the end of the device's subscription).
func (i *Issuer) Reissue(ctx context.Context, tenant, deviceID string, until time.Time) (string, error) {
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return "", err
	}
	raw := "fdt_" + hex.EncodeToString(buf)
	rec := Record{DeviceID: deviceID, Tenant: tenant, IssuedAt: i.now(), ExpiresAt: until}
	b, _ := json.Marshal(rec)
	if err := i.s.Put(ctx, tokenKey(Hash(raw)), b, store.WithTTL(time.Until(until))); err != nil { // EXPECT kvttl
		return "", err
	}
	return raw, nil
}
