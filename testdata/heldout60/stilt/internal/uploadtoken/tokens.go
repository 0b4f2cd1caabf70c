// Package uploadtoken issues the signed tokens that let a browser upload a
// source file straight to the ingest edge. The token's jti names a grant
// record in KV that the ingest edge and the studio UI read.
package uploadtoken

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"

	"github.com/framewell/stilt/internal/kvstore"
)

var tracer = otel.Tracer("stilt/uploadtoken")

// ErrRevoked is returned by Verify for a token that was revoked.
var ErrRevoked = errors.New("uploadtoken: revoked")

// Claims are the upload token's claims.
type Claims struct {
	jwt.RegisteredClaims
	VideoID  string `json:"vid"`
	MaxBytes int64  `json:"max"`
}

// Grant is what the ingest edge shows for a pending upload.
type Grant struct {
	VideoID  string    `json:"vid"`
	Tenant   string    `json:"tenant"`
	MaxBytes int64     `json:"max"`
	Expires  time.Time `json:"exp"`
}

// Issuer signs and checks upload tokens.
type Issuer struct {
	ns       *kvstore.Namespace
	secret   []byte
	audience string
	// Lifetime of a token; set from the operator's config.
	Lifetime time.Duration
}

// NewIssuer returns an issuer that signs with HS256 and secret.
func NewIssuer(ns *kvstore.Namespace, secret []byte, audience string, lifetime time.Duration) *Issuer {
	return &Issuer{ns: ns, secret: secret, audience: audience, Lifetime: lifetime}
}

func newJTI() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}

func grantKey(jti string) string   { return "upload:grant:" + jti }
func revokedKey(jti string) string { return "upload:revoked:" + jti }

// Issue signs a token for one upload of videoID by tenant.
func (i *Issuer) Issue(ctx context.Context, tenant, videoID string, maxBytes int64) (string, error) {
	ctx, span := tracer.Start(ctx, "uploadtoken.Issue")
	defer span.End()

	now := time.Now()
	claims := Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			ID:        newJTI(),
			Subject:   tenant,
			Audience:  jwt.ClaimStrings{i.audience},
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(i.Lifetime)),
		},
		VideoID:  videoID,
		MaxBytes: maxBytes,
	}
	signed, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(i.secret)
	if err != nil {
		return "", err
	}

	grant, err := json.Marshal(Grant{VideoID: videoID, Tenant: tenant, MaxBytes: maxBytes, Expires: claims.ExpiresAt.Time})
	if err != nil {
		return "", err
	}
	ttl := max(time.Until(claims.ExpiresAt.Time), time.Minute)
	if err := i.ns.Put(ctx, grantKey(claims.ID), grant, ttl); err != nil {
		span.RecordError(err)
		return "", err
	}
	span.SetAttributes(attribute.String("upload.jti", claims.ID))
	return signed, nil
}

// Verify parses token and rejects revoked ones.
func (i *Issuer) Verify(ctx context.Context, token string) (*Claims, error) {
	var claims Claims
	_, err := jwt.ParseWithClaims(token, &claims, func(*jwt.Token) (any, error) { return i.secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithAudience(i.audience),
		jwt.WithExpirationRequired(),
	)
	if err != nil {
		return nil, err
	}
	_, err = i.ns.Get(ctx, revokedKey(claims.ID))
	switch {
	case err == nil:
		return nil, ErrRevoked
	case errors.Is(err, kvstore.ErrNotFound):
		return &claims, nil
	default:
		return nil, err
	}
}

// Revoke stops a token from being accepted, e.g. when the video is deleted
// before its source finished uploading. The record only needs to live as
// long as the token would.
func (i *Issuer) Revoke(ctx context.Context, claims *Claims, reason string) error {
	ctx, span := tracer.Start(ctx, "uploadtoken.Revoke")
	defer span.End()

	remaining := time.Until(claims.ExpiresAt.Time) // EXPECT kvttl
	if remaining <= 0 {
		return nil
	}
	if err := i.ns.Put(ctx, revokedKey(claims.ID), []byte(reason), remaining); err != nil { // EXPECT kvsession
		span.RecordError(err)
		return fmt.Errorf("uploadtoken: revoke %s: %w", claims.ID, err)
	}
	return nil
}

// Complete is called by the ingest webhook when the upload finished; the
// grant is spent.
func (i *Issuer) Complete(ctx context.Context, jti string) error {
	return i.ns.Delete(ctx, grantKey(jti)) // EXPECT kvsession
}
