// Package oidcstore is the op.Storage behind the clinic group's OpenID
// provider. Auth requests, codes, tokens and signing keys live in Workers KV
// so that every region's provider instance sees the same records.
package oidcstore

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/google/uuid"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/clinicgroup/wallcreeper/internal/kvstore"
)

// authCodeTTL is how long an issued authorization code may be redeemed.
const authCodeTTL = 30 * time.Second

// Config carries the lifetimes the provider is configured with.
type Config struct {
	AuthRequestTTL  time.Duration // e.g. 10m
	AccessTokenTTL  time.Duration // from OIDC_ACCESS_TOKEN_TTL
	RefreshTokenTTL time.Duration // e.g. 720h
	Issuer          string
}

// Directory answers questions about staff accounts; it is backed by the HR
// database, not by KV.
type Directory interface {
	CheckPassword(ctx context.Context, username, password string) (userID string, err error)
	Userinfo(ctx context.Context, userID string) (email, name, clinicID string, err error)
}

// Storage implements op.Storage.
type Storage struct {
	ns      *kvstore.Namespace
	cfg     Config
	dir     Directory
	clients map[string]*staffClient
}

var _ op.Storage = (*Storage)(nil)

// New returns a Storage.
func New(ns *kvstore.Namespace, cfg Config, dir Directory) *Storage {
	return &Storage{ns: ns, cfg: cfg, dir: dir, clients: map[string]*staffClient{}}
}

func authReqKey(id string) string  { return "authreq/" + id }
func codeKey(code string) string   { return "code/" + code }
func accessKey(id string) string   { return "at/" + id }
func refreshIdx(tok string) string { return "rtidx/" + tok }
func refreshKey(user, client, id string) string {
	return fmt.Sprintf("rt/%s/%s/%s", user, client, id)
}
func userTokensKey(user string) string { return "usertokens/" + user }

// CreateAuthRequest stores a new authorization request.
func (s *Storage) CreateAuthRequest(ctx context.Context, req *oidc.AuthRequest, userID string) (op.AuthRequest, error) {
	ar := authRequestFromOIDC(req, userID)
	ar.ID = uuid.NewString()
	if err := s.ns.PutJSON(ctx, authReqKey(ar.ID), ar, s.cfg.AuthRequestTTL); err != nil {
		return nil, err
	}
	return ar, nil
}

func (s *Storage) loadAuthRequest(ctx context.Context, id string) (*authRequest, error) {
	var ar authRequest
	if err := s.ns.GetJSON(ctx, authReqKey(id), &ar); err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			return nil, oidc.ErrInvalidRequest().WithDescription("auth request not found")
		}
		return nil, err
	}
	return &ar, nil
}

// AuthRequestByID loads an authorization request.
func (s *Storage) AuthRequestByID(ctx context.Context, id string) (op.AuthRequest, error) {
	return s.loadAuthRequest(ctx, id)
}

// CompleteLogin is called by the login UI once the password was checked.
func (s *Storage) CompleteLogin(ctx context.Context, authReqID, username, password string) error {
	userID, err := s.dir.CheckPassword(ctx, username, password)
	if err != nil {
		return err
	}
	ar, err := s.loadAuthRequest(ctx, authReqID)
	if err != nil {
		return err
	}
	ar.UserID = userID
	ar.AuthTime = time.Now().UTC()
	ar.IsDone = true
	return s.ns.PutJSON(ctx, authReqKey(authReqID), ar, s.cfg.AuthRequestTTL) // EXPECT kvsession|kvrace
}

// AuthRequestByCode resolves a code to its authorization request.
func (s *Storage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	id, err := s.ns.Get(ctx, codeKey(code))
	if err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			return nil, oidc.ErrInvalidGrant().WithDescription("code not found")
		}
		return nil, err
	}
	return s.loadAuthRequest(ctx, string(id))
}

// SaveAuthCode remembers the code issued for an authorization request.
func (s *Storage) SaveAuthCode(ctx context.Context, id, code string) error {
	return s.ns.Put(ctx, codeKey(code), []byte(id), authCodeTTL) // EXPECT kvttl
}

// DeleteAuthRequest is called by the library once the code was exchanged.
func (s *Storage) DeleteAuthRequest(ctx context.Context, id string) error {
	return s.ns.Delete(ctx, authReqKey(id)) // EXPECT kvsession
}

// CreateAccessToken issues an access token without a refresh token.
func (s *Storage) CreateAccessToken(ctx context.Context, req op.TokenRequest) (string, time.Time, error) {
	clientID := clientIDOf(req)
	at := &accessToken{
		ID:         uuid.NewString(),
		ClientID:   clientID,
		Subject:    req.GetSubject(),
		Audience:   req.GetAudience(),
		Scopes:     req.GetScopes(),
		Expiration: time.Now().Add(s.cfg.AccessTokenTTL),
	}
	if err := s.ns.PutJSON(ctx, accessKey(at.ID), at, s.cfg.AccessTokenTTL); err != nil { // DEBATABLE kvttl
		return "", time.Time{}, err
	}
	return at.ID, at.Expiration, nil
}

// CreateAccessAndRefreshTokens issues an access token and a refresh token,
// rotating currentRefreshToken when it is set.
func (s *Storage) CreateAccessAndRefreshTokens(ctx context.Context, req op.TokenRequest, currentRefreshToken string) (string, string, time.Time, error) {
	accessID, exp, err := s.CreateAccessToken(ctx, req)
	if err != nil {
		return "", "", time.Time{}, err
	}
	rt := &refreshToken{
		ID:            uuid.NewString(),
		Token:         uuid.NewString(),
		UserID:        req.GetSubject(),
		ClientID:      clientIDOf(req),
		Audience:      req.GetAudience(),
		Scopes:        req.GetScopes(),
		AccessTokenID: accessID,
		AuthTime:      time.Now().UTC(),
		AMR:           []string{"pwd"},
		Expiration:    time.Now().Add(s.cfg.RefreshTokenTTL),
	}
	ttl := s.cfg.RefreshTokenTTL
	if currentRefreshToken != "" {
		old, err := s.refreshByToken(ctx, currentRefreshToken)
		if err != nil {
			return "", "", time.Time{}, err
		}
		rt.AuthTime, rt.AMR, rt.Expiration = old.AuthTime, old.AMR, old.Expiration
		ttl = time.Until(old.Expiration)
		if err := s.ns.Delete(ctx, refreshIdx(currentRefreshToken)); err != nil { // EXPECT kvsession
			return "", "", time.Time{}, err
		}
	}
	if err := s.ns.PutJSON(ctx, refreshKey(rt.UserID, rt.ClientID, rt.ID), rt, ttl); err != nil { // EXPECT kvttl
		return "", "", time.Time{}, err
	}
	if err := s.ns.Put(ctx, refreshIdx(rt.Token), []byte(refreshKey(rt.UserID, rt.ClientID, rt.ID)), s.cfg.RefreshTokenTTL); err != nil {
		return "", "", time.Time{}, err
	}
	if err := s.rememberToken(ctx, rt.UserID, rt.Token); err != nil {
		return "", "", time.Time{}, err
	}
	return accessID, rt.Token, exp, nil
}

// rememberToken keeps the list of a user's refresh tokens for the
// "signed-in devices" page.
func (s *Storage) rememberToken(ctx context.Context, userID, token string) error {
	var tokens []string
	if err := s.ns.GetJSON(ctx, userTokensKey(userID), &tokens); err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	tokens = append(tokens, token)
	if len(tokens) > 50 {
		tokens = tokens[len(tokens)-50:]
	}
	return s.ns.PutJSON(ctx, userTokensKey(userID), tokens, s.cfg.RefreshTokenTTL) // EXPECT kvrace
}

func (s *Storage) refreshByToken(ctx context.Context, token string) (*refreshToken, error) {
	key, err := s.ns.Get(ctx, refreshIdx(token))
	if err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			return nil, op.ErrInvalidRefreshToken
		}
		return nil, err
	}
	var rt refreshToken
	if err := s.ns.GetJSON(ctx, string(key), &rt); err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			return nil, op.ErrInvalidRefreshToken
		}
		return nil, err
	}
	return &rt, nil
}

// TokenRequestByRefreshToken loads the request a refresh token was issued for.
func (s *Storage) TokenRequestByRefreshToken(ctx context.Context, token string) (op.RefreshTokenRequest, error) {
	rt, err := s.refreshByToken(ctx, token)
	if err != nil {
		return nil, err
	}
	return &refreshTokenRequest{rt}, nil
}

// TerminateSession ends every refresh token of the user at the client.
func (s *Storage) TerminateSession(ctx context.Context, userID, clientID string) error {
	page, err := s.ns.List(ctx, fmt.Sprintf("rt/%s/%s/", userID, clientID), "", 1000) // EXPECT kvlist
	if err != nil {
		return err
	}
	for _, k := range page.Keys {
		if err := s.ns.Delete(ctx, k.Name); err != nil { // EXPECT kvsession
			return err
		}
	}
	return nil
}

// RevokeToken revokes an access token or a refresh token.
func (s *Storage) RevokeToken(ctx context.Context, tokenOrID, userID, clientID string) *oidc.Error {
	var at accessToken
	if err := s.ns.GetJSON(ctx, accessKey(tokenOrID), &at); err == nil {
		if at.ClientID != clientID {
			return oidc.ErrInvalidClient().WithDescription("token was not issued for this client")
		}
		if err := s.ns.Delete(ctx, accessKey(tokenOrID)); err != nil { // EXPECT kvsession
			return oidc.ErrServerError().WithParent(err)
		}
		return nil
	}
	rt, err := s.refreshByToken(ctx, tokenOrID)
	if err != nil {
		return nil // unknown tokens are treated as revoked (RFC 7009)
	}
	if rt.ClientID != clientID {
		return oidc.ErrInvalidClient().WithDescription("token was not issued for this client")
	}
	if err := s.ns.Delete(ctx, refreshIdx(tokenOrID)); err != nil { // EXPECT kvsession
		return oidc.ErrServerError().WithParent(err)
	}
	return nil
}

// GetRefreshTokenInfo returns the owner of a refresh token.
func (s *Storage) GetRefreshTokenInfo(ctx context.Context, clientID, token string) (string, string, error) {
	rt, err := s.refreshByToken(ctx, token)
	if err != nil {
		return "", "", op.ErrInvalidRefreshToken
	}
	if rt.ClientID != clientID {
		return "", "", op.ErrInvalidRefreshToken
	}
	return rt.UserID, rt.ID, nil
}

// SigningKey returns the active signing key, creating it on first use.
func (s *Storage) SigningKey(ctx context.Context) (op.SigningKey, error) {
	var jwk jose.JSONWebKey
	raw, err := s.ns.Get(ctx, "keys/active")
	if err == nil {
		if err := jwk.UnmarshalJSON(raw); err != nil {
			return nil, err
		}
		return &signingKey{jwk: jwk}, nil
	}
	if !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	jwk = jose.JSONWebKey{Key: priv, KeyID: uuid.NewString(), Algorithm: string(jose.RS256), Use: "sig"}
	raw, err = jwk.MarshalJSON()
	if err != nil {
		return nil, err
	}
	if err := s.ns.Put(ctx, "keys/active", raw, 0); err != nil { // DEBATABLE kvrace
		return nil, err
	}
	return &signingKey{jwk: jwk}, nil
}

// SignatureAlgorithms lists the supported algorithms.
func (s *Storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

// KeySet returns the public keys published at the JWKS endpoint.
func (s *Storage) KeySet(ctx context.Context) ([]op.Key, error) {
	sk, err := s.SigningKey(ctx)
	if err != nil {
		return nil, err
	}
	priv, ok := sk.Key().(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("oidcstore: active key is not RSA")
	}
	return []op.Key{&publicKey{jwk: jose.JSONWebKey{Key: &priv.PublicKey, KeyID: sk.ID(), Algorithm: string(jose.RS256), Use: "sig"}}}, nil
}

// GetClientByClientID returns a registered staff application.
func (s *Storage) GetClientByClientID(_ context.Context, clientID string) (op.Client, error) {
	c, ok := s.clients[clientID]
	if !ok {
		return nil, oidc.ErrInvalidClient().WithDescription("unknown client")
	}
	return c, nil
}

// AuthorizeClientIDSecret checks a confidential client's secret.
func (s *Storage) AuthorizeClientIDSecret(_ context.Context, clientID, secret string) error {
	c, ok := s.clients[clientID]
	if !ok || !checkSecret(c.secretHash, secret) {
		return oidc.ErrInvalidClient()
	}
	return nil
}

// SetUserinfoFromScopes is unused: claims are set from the token.
func (s *Storage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

// SetUserinfoFromToken fills the userinfo response.
func (s *Storage) SetUserinfoFromToken(ctx context.Context, info *oidc.UserInfo, tokenID, subject, origin string) error {
	var at accessToken
	if err := s.ns.GetJSON(ctx, accessKey(tokenID), &at); err != nil {
		return fmt.Errorf("token is invalid or has expired")
	}
	email, name, clinic, err := s.dir.Userinfo(ctx, at.Subject)
	if err != nil {
		return err
	}
	info.Subject = at.Subject
	info.Email = email
	info.Name = name
	info.AppendClaims("clinic", clinic)
	return nil
}

// SetIntrospectionFromToken fills the introspection response.
func (s *Storage) SetIntrospectionFromToken(ctx context.Context, resp *oidc.IntrospectionResponse, tokenID, subject, clientID string) error {
	var at accessToken
	if err := s.ns.GetJSON(ctx, accessKey(tokenID), &at); err != nil {
		return fmt.Errorf("token is invalid or has expired")
	}
	resp.Active = time.Now().Before(at.Expiration)
	resp.Scope = oidc.SpaceDelimitedArray(at.Scopes)
	resp.ClientID = at.ClientID
	resp.Subject = at.Subject
	return nil
}

// GetPrivateClaimsFromScopes adds the clinic claim.
func (s *Storage) GetPrivateClaimsFromScopes(ctx context.Context, userID, clientID string, scopes []string) (map[string]any, error) {
	for _, sc := range scopes {
		if sc == "clinic" {
			_, _, clinic, err := s.dir.Userinfo(ctx, userID)
			if err != nil {
				return nil, err
			}
			return map[string]any{"clinic": clinic}, nil
		}
	}
	return nil, nil
}

// GetKeyByIDAndClientID is not supported: no JWT profile grants.
func (s *Storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errors.New("jwt profile grant not supported")
}

// ValidateJWTProfileScopes is not supported: no JWT profile grants.
func (s *Storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errors.New("jwt profile grant not supported")
}

// Health is polled by the provider's /healthz endpoint and by the load
// balancer; it proves the namespace is writable.
func (s *Storage) Health(ctx context.Context) error {
	stamp := []byte(time.Now().UTC().Format(time.RFC3339Nano))
	return s.ns.Put(ctx, "health/probe", stamp, 0) // EXPECT kvhotkey
}

func clientIDOf(req op.TokenRequest) string {
	switch r := req.(type) {
	case op.AuthRequest:
		return r.GetClientID()
	case op.RefreshTokenRequest:
		return r.GetClientID()
	}
	return strings.Join(req.GetAudience(), " ")
}
