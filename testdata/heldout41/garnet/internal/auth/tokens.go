package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"math/big"
	"time"

	"garnet/internal/kvstore"
	"garnet/internal/policy"
)

type refreshRecord struct {
	UserID   string    `json:"user_id"`
	TenantID string    `json:"tenant_id"`
	IssuedAt time.Time `json:"issued_at"`
}

// RefreshTokens issues and rotates long-lived refresh tokens.
type RefreshTokens struct {
	store  kvstore.Store
	expiry policy.ExpiryPolicy
}

// NewRefreshTokens returns a refresh-token store over st.
func NewRefreshTokens(st kvstore.Store, expiry policy.ExpiryPolicy) *RefreshTokens {
	return &RefreshTokens{store: st.WithPrefix("rt:"), expiry: expiry}
}

// Mint issues a fresh refresh token for a user.
func (t *RefreshTokens) Mint(ctx context.Context, tenantID, userID string) (string, error) {
	tok := randomToken()
	rec := refreshRecord{UserID: userID, TenantID: tenantID, IssuedAt: time.Now().UTC()}
	if err := t.store.Scope(tenantID).PutJSON(ctx, "refresh:"+tok, rec, t.expiry.Lifetime("refresh")); err != nil {
		return "", fmt.Errorf("mint refresh token: %w", err)
	}
	return tok, nil
}

// Rotate exchanges a refresh token for a new one.
func (t *RefreshTokens) Rotate(ctx context.Context, tenantID, old string) (string, string, error) {
	st := t.store.Scope(tenantID)
	var rec refreshRecord
	if err := st.GetJSON(ctx, "refresh:"+old, &rec); err != nil {
		return "", "", fmt.Errorf("refresh token: %w", err)
	}
	if err := st.Delete(ctx, "refresh:"+old); err != nil { // EXPECT kvsession
		return "", "", err
	}
	next, err := t.Mint(ctx, tenantID, rec.UserID)
	return next, rec.UserID, err
}

// RevokeAccess marks an access token's ID as revoked until it would have
// expired anyway.
func (t *RefreshTokens) RevokeAccess(ctx context.Context, tenantID, jti string, exp time.Time) error {
	return t.store.Scope(tenantID).PutUntil(ctx, "revoked-jti:"+jti, []byte("1"), exp.Add(time.Minute)) // EXPECT kvsession
}

// Codes issues six-digit one-time codes for step-up verification.
type Codes struct {
	store kvstore.Store
	keys  kvstore.KeyScheme
}

// NewCodes returns a one-time code store.
func NewCodes(st kvstore.Store, keys kvstore.KeyScheme) *Codes {
	return &Codes{store: st.WithPrefix("otp:"), keys: keys}
}

// Issue creates a code for email and returns it for delivery.
func (c *Codes) Issue(ctx context.Context, tenantID, email string) (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	code := fmt.Sprintf("%06d", n.Int64())
	key := c.keys.Segment("email", email)
	if err := c.store.Scope(tenantID).PutTTL(ctx, key, []byte(code), 10*time.Minute); err != nil { // DEBATABLE kvsession
		return "", err
	}
	return code, nil
}

// Verify checks a code and consumes it.
func (c *Codes) Verify(ctx context.Context, tenantID, email, code string) (bool, error) {
	st := c.store.Scope(tenantID)
	key := c.keys.Segment("email", email)
	opt, err := st.Lookup(ctx, key)
	if err != nil {
		return false, err
	}
	want, ok := opt.Get()
	if !ok || subtle.ConstantTimeCompare(want, []byte(code)) != 1 {
		return false, nil
	}
	return true, st.Delete(ctx, key) // EXPECT kvsession
}
