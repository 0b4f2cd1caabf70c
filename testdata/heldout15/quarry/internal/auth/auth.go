// Package auth issues and rotates API refresh tokens and keeps the list of
// revoked access-token IDs that the edge checks.
package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"example.com/quarry/internal/config"
	"example.com/quarry/internal/ids"
	"example.com/quarry/internal/storage"
)

var ErrInvalidToken = errors.New("auth: invalid or expired refresh token")

// refreshRecord is stored under the hash of the token, never the token.
type refreshRecord struct {
	Account ids.AccountID `json:"account"`
	Family  string        `json:"family"`
	Issued  time.Time     `json:"issued"`
}

type Tokens struct {
	store      storage.Store
	rtFormat   string // e.g. "rt/%s"
	revFormat  string // e.g. "revoked/%s"
	refreshTTL time.Duration
	now        func() time.Time
}

func NewTokens(store storage.Store, keys config.Keys, s config.Session) *Tokens {
	return &Tokens{
		store:      store,
		rtFormat:   keys.RefreshToken,
		revFormat:  keys.Revoked,
		refreshTTL: s.RefreshTTL.Duration,
		now:        time.Now,
	}
}

func (t *Tokens) key(token string) string {
	sum := sha256.Sum256([]byte(token))
	return fmt.Sprintf(t.rtFormat, hex.EncodeToString(sum[:16]))
}

func (t *Tokens) issue(ctx context.Context, acct ids.AccountID, family string) (string, error) {
	token := "qrt_" + ids.Token(32)
	b, err := json.Marshal(refreshRecord{Account: acct, Family: family, Issued: t.now().UTC()})
	if err != nil {
		return "", err
	}
	if err := t.store.Put(ctx, t.key(token), b, storage.PutOptions{TTL: t.refreshTTL}); err != nil {
		return "", fmt.Errorf("auth: store refresh token: %w", err)
	}
	return token, nil
}

// Issue starts a new token family for acct.
func (t *Tokens) Issue(ctx context.Context, acct ids.AccountID) (string, error) {
	return t.issue(ctx, acct, "f_"+ids.Token(8))
}

// Rotate exchanges a refresh token for a new one in the same family; the old
// token stops working.
func (t *Tokens) Rotate(ctx context.Context, old string) (string, ids.AccountID, error) {
	key := t.key(old)
	raw, err := t.store.Get(ctx, key)
	if errors.Is(err, storage.ErrNotFound) {
		return "", "", ErrInvalidToken
	}
	if err != nil {
		return "", "", err
	}
	var rec refreshRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		return "", "", fmt.Errorf("auth: decode refresh record: %w", err)
	}
	if err := t.store.Delete(ctx, key); err != nil { // EXPECT kvsession
		return "", "", fmt.Errorf("auth: retire refresh token: %w", err)
	}
	next, err := t.issue(ctx, rec.Account, rec.Family)
	return next, rec.Account, err
}

// Revoke blocks an access token (by its jti) until it would have expired
// anyway, e.g. after a password change.
func (t *Tokens) Revoke(ctx context.Context, jti string, expires time.Time) error {
	if floor := t.now().Add(time.Minute); expires.Before(floor) {
		expires = floor
	}
	return t.store.Put(ctx, fmt.Sprintf(t.revFormat, jti), []byte("1"), storage.PutOptions{ExpireAt: expires}) // EXPECT kvsession
}

// Revoked reports whether jti is on the revocation list.
func (t *Tokens) Revoked(ctx context.Context, jti string) (bool, error) {
	_, err := t.store.Get(ctx, fmt.Sprintf(t.revFormat, jti))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, storage.ErrNotFound):
		return false, nil
	default:
		return false, err
	}
}
