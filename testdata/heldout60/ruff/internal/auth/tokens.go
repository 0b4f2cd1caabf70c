package auth

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/ruffgate/ruff/internal/kv"
)

var ErrRevoked = errors.New("auth: token revoked")

const refreshLifetime = 30 * 24 * time.Hour

// Claims are the claims of an API token; the jti names its record in KV.
type Claims struct {
	Tenant string   `json:"tnt"`
	Scope  []string `json:"scp"`
	jwt.RegisteredClaims
}

// Tokens issues and checks API tokens (HS256).
type Tokens struct {
	ns     *kv.Namespace
	secret []byte
	issuer string
}

func NewTokens(ns *kv.Namespace, secret []byte, issuer string) *Tokens {
	return &Tokens{ns: ns, secret: secret, issuer: issuer}
}

type tokenRecord struct {
	Tenant   string   `json:"tenant"`
	Scope    []string `json:"scope"`
	LastUsed int64    `json:"last_used,omitempty"`
}

// Issue mints a token for tenant with the given scope, valid for ttl.
func (t *Tokens) Issue(ctx context.Context, tenant string, scope []string, ttl time.Duration) (string, *Claims, error) {
	now := time.Now()
	claims := &Claims{Tenant: tenant, Scope: scope, RegisteredClaims: jwt.RegisteredClaims{
		ID:        randomID(16),
		Issuer:    t.issuer,
		Subject:   tenant,
		IssuedAt:  jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
	}}
	signed, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(t.secret)
	if err != nil {
		return "", nil, err
	}
	raw, _ := json.Marshal(tokenRecord{Tenant: tenant, Scope: scope})
	if err := t.ns.PutUntil(ctx, "apitoken:"+claims.ID, raw, claims.ExpiresAt.Time); err != nil {
		return "", nil, err
	}
	return signed, claims, nil
}

// Parse verifies signed and returns its claims unless it has been revoked.
func (t *Tokens) Parse(ctx context.Context, signed string) (*Claims, error) {
	claims := &Claims{}
	_, err := jwt.ParseWithClaims(signed, claims, func(*jwt.Token) (any, error) { return t.secret, nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithIssuer(t.issuer), jwt.WithExpirationRequired())
	if err != nil {
		return nil, err
	}
	switch _, err := t.ns.Get(ctx, "revoked:"+claims.ID); {
	case err == nil:
		return nil, ErrRevoked
	case errors.Is(err, kv.ErrNotFound):
		return claims, nil
	default:
		return nil, err
	}
}

// Revoke lists the token's jti as revoked until it would have expired.
func (t *Tokens) Revoke(ctx context.Context, claims *Claims) error {
	ttl := max(time.Until(claims.ExpiresAt.Time), time.Minute)
	return t.ns.Put(ctx, "revoked:"+claims.ID, []byte(time.Now().UTC().Format(time.RFC3339)), ttl) // EXPECT kvsession
}

// Touch records that the token was just used, for the token list's
// "last used" column.
func (t *Tokens) Touch(ctx context.Context, claims *Claims) error {
	key := "apitoken:" + claims.ID
	var rec tokenRecord
	if err := getJSON(ctx, t.ns, key, &rec); err != nil {
		return err
	}
	rec.LastUsed = time.Now().Unix()
	raw, _ := json.Marshal(rec)
	return t.ns.PutUntil(ctx, key, raw, claims.ExpiresAt.Time) // EXPECT kvsession|kvrace
}

// IssueWithRefresh mints an access token and a refresh token.
func (t *Tokens) IssueWithRefresh(ctx context.Context, tenant string, scope []string, ttl time.Duration) (string, string, error) {
	access, _, err := t.Issue(ctx, tenant, scope, ttl)
	if err != nil {
		return "", "", err
	}
	refresh := randomID(32)
	raw, _ := json.Marshal(tokenRecord{Tenant: tenant, Scope: scope})
	if err := t.ns.Put(ctx, "refresh:"+refresh, raw, refreshLifetime); err != nil {
		return "", "", err
	}
	return access, refresh, nil
}

// Rotate exchanges a refresh token for a new pair; the old one stops working.
func (t *Tokens) Rotate(ctx context.Context, refresh string, ttl time.Duration) (string, string, error) {
	var rec tokenRecord
	if err := getJSON(ctx, t.ns, "refresh:"+refresh, &rec); err != nil {
		if errors.Is(err, kv.ErrNotFound) {
			return "", "", ErrRevoked
		}
		return "", "", err
	}
	access, next, err := t.IssueWithRefresh(ctx, rec.Tenant, rec.Scope, ttl)
	if err != nil {
		return "", "", err
	}
	if err := t.ns.Delete(ctx, "refresh:"+refresh); err != nil { // EXPECT kvsession
		return "", "", err
	}
	return access, next, nil
}
