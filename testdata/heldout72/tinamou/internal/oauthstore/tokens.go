// Package oauthstore implements the go-oauth2 storage interfaces over Workers KV.
//
// Token records are models.Token values encoded as JSON and stored under one
// key per credential (authorization code, access token, refresh token), so
// that the edge Worker can validate an access token with a single read.
package oauthstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/go-oauth2/oauth2/v4"
	oautherrors "github.com/go-oauth2/oauth2/v4/errors"
	"github.com/go-oauth2/oauth2/v4/models"

	"github.com/tinamou-id/tinamou/internal/kvstore"
)

const (
	codePrefix    = "oauth:code:"
	accessPrefix  = "oauth:access:"
	refreshPrefix = "oauth:refresh:"
	revokedPrefix = "oauth:revoked:"
)

// TokenStore stores OAuth2 token information in a KV namespace.
type TokenStore struct {
	ns *kvstore.Namespace
	// RevocationTTL is how long the edge keeps a revoked access token on its
	// deny list; it only needs to outlive the longest access token.
	RevocationTTL time.Duration
}

var _ oauth2.TokenStore = (*TokenStore)(nil)

// NewTokenStore returns a TokenStore over ns.
func NewTokenStore(ns *kvstore.Namespace) *TokenStore {
	return &TokenStore{ns: ns, RevocationTTL: 2 * time.Hour}
}

func codeKey(code string) string       { return codePrefix + code }
func accessKey(access string) string   { return accessPrefix + access }
func refreshKey(refresh string) string { return refreshPrefix + refresh }

// RevokedKey is the deny-list key the edge Worker checks for an access token.
func RevokedKey(access string) string {
	sum := sha256.Sum256([]byte(access))
	return revokedPrefix + hex.EncodeToString(sum[:16])
}

// Create stores a freshly issued code or token set.
func (s *TokenStore) Create(ctx context.Context, info oauth2.TokenInfo) error {
	raw, err := json.Marshal(info)
	if err != nil {
		return fmt.Errorf("encode token: %w", err)
	}

	if code := info.GetCode(); code != "" {
		expiresAt := info.GetCodeCreateAt().Add(info.GetCodeExpiresIn())
		return s.ns.Put(ctx, codeKey(code), raw, time.Until(expiresAt)) // EXPECT kvttl
	}

	if access := info.GetAccess(); access != "" {
		at := info.GetAccessCreateAt().Add(info.GetAccessExpiresIn())
		if err := s.ns.PutUntil(ctx, accessKey(access), raw, at); err != nil {
			return err
		}
	}

	if refresh := info.GetRefresh(); refresh != "" {
		var ttl time.Duration
		if exp := info.GetRefreshExpiresIn(); exp > 0 {
			ttl = max(time.Until(info.GetRefreshCreateAt().Add(exp)), time.Minute)
		}
		if err := s.ns.Put(ctx, refreshKey(refresh), raw, ttl); err != nil {
			return err
		}
	}
	return nil
}

// RemoveByCode deletes an authorization code once it has been exchanged.
func (s *TokenStore) RemoveByCode(ctx context.Context, code string) error {
	return s.ns.Delete(ctx, codeKey(code)) // EXPECT kvsession
}

// RemoveByAccess revokes an access token and puts it on the edge deny list.
func (s *TokenStore) RemoveByAccess(ctx context.Context, access string) error {
	if err := s.ns.Put(ctx, RevokedKey(access), []byte("1"), s.RevocationTTL); err != nil { // EXPECT kvsession
		return err
	}
	return s.ns.Delete(ctx, accessKey(access)) // EXPECT kvsession
}

// RemoveByRefresh deletes a refresh token; the manager calls it on rotation.
func (s *TokenStore) RemoveByRefresh(ctx context.Context, refresh string) error {
	return s.ns.Delete(ctx, refreshKey(refresh)) // EXPECT kvsession
}

// GetByCode loads the token information stored for an authorization code.
func (s *TokenStore) GetByCode(ctx context.Context, code string) (oauth2.TokenInfo, error) {
	raw, err := s.ns.Get(ctx, codeKey(code))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return decodeToken(raw)
}

// GetByAccess loads the token information stored for an access token.
func (s *TokenStore) GetByAccess(ctx context.Context, access string) (oauth2.TokenInfo, error) {
	raw, err := s.ns.Get(ctx, accessKey(access))
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
		return nil, oautherrors.ErrInvalidAccessToken
	case err != nil:
		return nil, err
	}
	return decodeToken(raw)
}

// GetByRefresh loads the token information stored for a refresh token.
func (s *TokenStore) GetByRefresh(ctx context.Context, refresh string) (oauth2.TokenInfo, error) {
	raw, err := s.ns.Get(ctx, refreshKey(refresh))
	if err != nil {
		return nil, fmt.Errorf("load refresh token: %w", err)
	}
	if len(raw) == 0 { // EXPECT kvnull
		return nil, oautherrors.ErrInvalidRefreshToken
	}
	return decodeToken(raw)
}

func decodeToken(raw []byte) (oauth2.TokenInfo, error) {
	var tok models.Token
	if err := json.Unmarshal(raw, &tok); err != nil {
		return nil, fmt.Errorf("decode token: %w", err)
	}
	return &tok, nil
}
