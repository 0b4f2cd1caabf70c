// Package oidcstore implements the zitadel/oidc op.Storage used by the
// portal's OpenID provider. Partner apps sign users in through it; auth
// requests, codes, tokens and signing keys live in Workers KV.
package oidcstore

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"path"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/portwell/nutcracker/internal/kvstore"
)

// Config carries the lifetimes the operator configures for the provider.
type Config struct {
	AuthRequestTTL      time.Duration // time a user has to finish login
	AccessTokenLifetime time.Duration
	MaxSessionAge       time.Duration // refresh tokens never outlive auth_time + this
	LockoutWindow       time.Duration
	MaxLoginFailures    int
}

// Storage is the provider's op.Storage.
type Storage struct {
	ns  *kvstore.Namespace
	cfg Config
}

var _ op.Storage = (*Storage)(nil)

// New fills in defaults for unset lifetimes.
func New(ns *kvstore.Namespace, cfg Config) *Storage {
	cfg.AuthRequestTTL = max(cmp.Or(cfg.AuthRequestTTL, 10*time.Minute), time.Minute)
	cfg.AccessTokenLifetime = cmp.Or(cfg.AccessTokenLifetime, 15*time.Minute)
	cfg.MaxSessionAge = cmp.Or(cfg.MaxSessionAge, 30*24*time.Hour)
	cfg.LockoutWindow = cmp.Or(cfg.LockoutWindow, 15*time.Minute)
	cfg.MaxLoginFailures = cmp.Or(cfg.MaxLoginFailures, 5)
	return &Storage{ns: ns, cfg: cfg}
}

const codeTTL = 90 * time.Second

func authRequestKey(id string) string          { return "oidc/authreq/" + id }
func codeKey(code string) string               { return "oidc/code/" + code }
func accessTokenKey(id string) string          { return "oidc/at/" + id }
func refreshTokenKey(tok string) string        { return "oidc/rt/" + tok }
func grantKey(user, client, tok string) string { return path.Join("oidc/grants", user, client, tok) }
func clientKey(id string) string               { return "oidc/clients/" + id }
func userKey(id string) string                 { return "portal/users/" + id }

func newID() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func (s *Storage) putJSON(ctx context.Context, key string, v any, ttl time.Duration) error {
	buf, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.ns.Put(ctx, key, buf, ttl)
}

func (s *Storage) getJSON(ctx context.Context, key string, v any) error {
	raw, err := s.ns.Get(ctx, key)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

// CreateAuthRequest stores a fresh authorization request.
func (s *Storage) CreateAuthRequest(ctx context.Context, req *oidc.AuthRequest, userID string) (op.AuthRequest, error) {
	a := newAuthRequest(newID(), req, userID)
	if err := s.putJSON(ctx, authRequestKey(a.ID), a, s.cfg.AuthRequestTTL); err != nil {
		return nil, err
	}
	return a, nil
}

// AuthRequestByID loads an authorization request.
func (s *Storage) AuthRequestByID(ctx context.Context, id string) (op.AuthRequest, error) {
	var a authRequest
	if err := s.getJSON(ctx, authRequestKey(id), &a); err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			return nil, oidc.ErrInvalidRequest().WithDescription("auth request not found")
		}
		return nil, err
	}
	return &a, nil
}

// AuthRequestByCode resolves an authorization code to its request.
func (s *Storage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	id, err := s.ns.Get(ctx, codeKey(code))
	if err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			return nil, oidc.ErrInvalidGrant().WithDescription("code not found")
		}
		return nil, err
	}
	return s.AuthRequestByID(ctx, string(id))
}

// SaveAuthCode maps a freshly minted code to its auth request.
func (s *Storage) SaveAuthCode(ctx context.Context, id, code string) error {
	return s.ns.Put(ctx, codeKey(code), []byte(id), codeTTL)
}

// DeleteAuthRequest is called once the code has been exchanged.
func (s *Storage) DeleteAuthRequest(ctx context.Context, id string) error {
	return s.ns.Delete(ctx, authRequestKey(id)) // EXPECT kvsession
}

// CreateAccessToken mints an opaque access token.
func (s *Storage) CreateAccessToken(ctx context.Context, req op.TokenRequest) (string, time.Time, error) {
	at := s.newAccessToken(req)
	err := s.putJSON(ctx, accessTokenKey(at.ID), at,
		s.cfg.AccessTokenLifetime) // DEBATABLE kvttl
	return at.ID, at.Expires, err
}

func (s *Storage) newAccessToken(req op.TokenRequest) *accessToken {
	at := &accessToken{
		ID:       newID(),
		Subject:  req.GetSubject(),
		Audience: req.GetAudience(),
		Scopes:   req.GetScopes(),
		Expires:  time.Now().Add(s.cfg.AccessTokenLifetime).UTC(),
	}
	switch r := req.(type) {
	case op.AuthRequest:
		at.ClientID = r.GetClientID()
	case op.RefreshTokenRequest:
		at.ClientID = r.GetClientID()
	}
	return at
}

// CreateAccessAndRefreshTokens mints an access token and a refresh token,
// rotating currentRefreshToken when the grant is refresh_token.
func (s *Storage) CreateAccessAndRefreshTokens(ctx context.Context, req op.TokenRequest, currentRefreshToken string) (string, string, time.Time, error) {
	at := s.newAccessToken(req)
	rt := &refreshToken{
		Token:    newID(),
		ClientID: at.ClientID,
		Subject:  req.GetSubject(),
		Audience: req.GetAudience(),
		Scopes:   req.GetScopes(),
	}
	switch r := req.(type) {
	case op.AuthRequest:
		rt.AMR, rt.AuthTime = r.GetAMR(), r.GetAuthTime()
	case op.RefreshTokenRequest:
		rt.AMR, rt.AuthTime = r.GetAMR(), r.GetAuthTime()
	}
	rt.Expires = rt.AuthTime.Add(s.cfg.MaxSessionAge)

	if currentRefreshToken != "" {
		var old refreshToken
		if err := s.getJSON(ctx, refreshTokenKey(currentRefreshToken), &old); err != nil {
			return "", "", time.Time{}, op.ErrInvalidRefreshToken
		}
		if err := s.ns.Delete(ctx, refreshTokenKey(currentRefreshToken)); err != nil { // EXPECT kvsession
			return "", "", time.Time{}, err
		}
		_ = s.ns.Delete(ctx, grantKey(old.Subject, old.ClientID, old.Token))
	}

	if err := s.putJSON(ctx, accessTokenKey(at.ID), at, s.cfg.AccessTokenLifetime); err != nil {
		return "", "", time.Time{}, err
	}
	buf, _ := json.Marshal(rt)
	if err := s.ns.Put(ctx, refreshTokenKey(rt.Token), buf, time.Until(rt.Expires)); err != nil { // EXPECT kvttl
		return "", "", time.Time{}, err
	}
	if err := s.ns.Put(ctx, grantKey(rt.Subject, rt.ClientID, rt.Token), nil, s.cfg.MaxSessionAge); err != nil {
		return "", "", time.Time{}, err
	}
	return at.ID, rt.Token, at.Expires, nil
}

// TokenRequestByRefreshToken loads a refresh token for the refresh grant.
func (s *Storage) TokenRequestByRefreshToken(ctx context.Context, token string) (op.RefreshTokenRequest, error) {
	var rt refreshToken
	if err := s.getJSON(ctx, refreshTokenKey(token), &rt); err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			return nil, op.ErrInvalidRefreshToken
		}
		return nil, err
	}
	if time.Now().After(rt.Expires) {
		return nil, op.ErrInvalidRefreshToken
	}
	return &rt, nil
}

// TerminateSession ends every grant the user gave the client.
func (s *Storage) TerminateSession(ctx context.Context, userID, clientID string) error {
	page, err := s.ns.ListPage(ctx, path.Join("oidc/grants", userID, clientID)+"/", "", 1000) // EXPECT kvlist
	if err != nil {
		return err
	}
	var errs []error
	for _, name := range page.Keys {
		if err := s.ns.Delete(ctx, refreshTokenKey(path.Base(name))); err != nil { // EXPECT kvsession
			errs = append(errs, err)
			continue
		}
		errs = append(errs, s.ns.Delete(ctx, name))
	}
	return errors.Join(errs...)
}

// RevokeToken implements RFC 7009 for access and refresh tokens.
func (s *Storage) RevokeToken(ctx context.Context, tokenOrID, userID, clientID string) *oidc.Error {
	var at accessToken
	if err := s.getJSON(ctx, accessTokenKey(tokenOrID), &at); err == nil {
		if at.ClientID != clientID {
			return oidc.ErrInvalidClient().WithDescription("token was not issued to this client")
		}
		if err := s.ns.Delete(ctx, accessTokenKey(tokenOrID)); err != nil { // EXPECT kvsession
			return oidc.ErrServerError().WithParent(err)
		}
		return nil
	}
	var rt refreshToken
	if err := s.getJSON(ctx, refreshTokenKey(tokenOrID), &rt); err != nil {
		return nil // unknown tokens are not an error (RFC 7009 §2.2)
	}
	if rt.ClientID != clientID {
		return oidc.ErrInvalidClient().WithDescription("token was not issued to this client")
	}
	if err := s.ns.Delete(ctx, refreshTokenKey(tokenOrID)); err != nil { // EXPECT kvsession
		return oidc.ErrServerError().WithParent(err)
	}
	return nil
}

// GetRefreshTokenInfo is used by revocation and introspection.
func (s *Storage) GetRefreshTokenInfo(ctx context.Context, clientID, token string) (string, string, error) {
	var rt refreshToken
	if err := s.getJSON(ctx, refreshTokenKey(token), &rt); err != nil || rt.ClientID != clientID {
		return "", "", op.ErrInvalidRefreshToken
	}
	return rt.Subject, rt.Token, nil
}

// SigningKey loads the active private key. Keys are rotated by portal-api's
// key job, which writes oidc/keys/active once per rotation.
func (s *Storage) SigningKey(ctx context.Context) (op.SigningKey, error) {
	kid, err := s.ns.Get(ctx, "oidc/keys/active")
	if err != nil {
		return nil, fmt.Errorf("active signing key: %w", err)
	}
	raw, err := s.ns.Get(ctx, "oidc/keys/private/"+string(kid))
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(raw)
	if block == nil {
		return nil, errors.New("signing key is not PEM")
	}
	key, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		return nil, err
	}
	return &signingKey{id: string(kid), key: key}, nil
}

func (s *Storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

// KeySet returns every published verification key.
func (s *Storage) KeySet(ctx context.Context) ([]op.Key, error) {
	page, err := s.ns.ListPage(ctx, "oidc/keys/public/", "", 100)
	if err != nil {
		return nil, err
	}
	if page.Cursor != "" {
		return nil, errors.New("more than 100 published keys; prune oidc/keys/public")
	}
	keys := make([]op.Key, 0, len(page.Keys))
	for _, name := range page.Keys {
		raw, err := s.ns.Get(ctx, name) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		block, _ := pem.Decode(raw)
		if block == nil {
			continue
		}
		pub, err := x509.ParsePKCS1PublicKey(block.Bytes)
		if err != nil {
			return nil, err
		}
		keys = append(keys, &publicKey{id: path.Base(name), key: pub})
	}
	return keys, nil
}

// GetClientByClientID loads a partner app registration.
func (s *Storage) GetClientByClientID(ctx context.Context, clientID string) (op.Client, error) {
	var c Client
	if err := s.getJSON(ctx, clientKey(clientID), &c); err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			return nil, oidc.ErrInvalidClient().WithDescription("unknown client")
		}
		return nil, err
	}
	return &c, nil
}

// AuthorizeClientIDSecret checks a confidential client's secret.
func (s *Storage) AuthorizeClientIDSecret(ctx context.Context, clientID, secret string) error {
	var c Client
	if err := s.getJSON(ctx, clientKey(clientID), &c); err != nil {
		return oidc.ErrInvalidClient()
	}
	sum := sha256.Sum256([]byte(secret))
	if subtle.ConstantTimeCompare([]byte(hex.EncodeToString(sum[:])), []byte(c.SecretSHA256)) != 1 {
		return oidc.ErrInvalidClient()
	}
	return nil
}

type user struct {
	ID            string `json:"id"`
	Email         string `json:"email"`
	EmailVerified bool   `json:"email_verified"`
	Name          string `json:"name"`
	Tenant        string `json:"tenant"`
	PasswordHash  string `json:"password_hash"`
}

func (s *Storage) SetUserinfoFromScopes(ctx context.Context, info *oidc.UserInfo, userID, clientID string, scopes []string) error {
	return s.fillUserinfo(ctx, info, userID, scopes)
}

func (s *Storage) SetUserinfoFromToken(ctx context.Context, info *oidc.UserInfo, tokenID, subject, origin string) error {
	var at accessToken
	if err := s.getJSON(ctx, accessTokenKey(tokenID), &at); err != nil {
		return oidc.ErrAccessDenied().WithDescription("token is not valid")
	}
	if time.Now().After(at.Expires) {
		return oidc.ErrAccessDenied().WithDescription("token expired")
	}
	return s.fillUserinfo(ctx, info, at.Subject, at.Scopes)
}

func (s *Storage) fillUserinfo(ctx context.Context, info *oidc.UserInfo, userID string, scopes []string) error {
	var u user
	if err := s.getJSON(ctx, userKey(userID), &u); err != nil {
		return err
	}
	info.Subject = u.ID
	for _, scope := range scopes {
		switch scope {
		case oidc.ScopeEmail:
			info.Email, info.EmailVerified = u.Email, oidc.Bool(u.EmailVerified)
		case oidc.ScopeProfile:
			info.Name = u.Name
		}
	}
	return nil
}

func (s *Storage) SetIntrospectionFromToken(ctx context.Context, resp *oidc.IntrospectionResponse, tokenID, subject, clientID string) error {
	var at accessToken
	if err := s.getJSON(ctx, accessTokenKey(tokenID), &at); err != nil || time.Now().After(at.Expires) {
		return nil // inactive
	}
	resp.Active = true
	resp.Subject = at.Subject
	resp.ClientID = at.ClientID
	resp.Scope = at.Scopes
	resp.Expiration = oidc.FromTime(at.Expires)
	return nil
}

func (s *Storage) GetPrivateClaimsFromScopes(ctx context.Context, userID, clientID string, scopes []string) (map[string]any, error) {
	var u user
	if err := s.getJSON(ctx, userKey(userID), &u); err != nil {
		return nil, err
	}
	return map[string]any{"tenant": u.Tenant}, nil
}

func (s *Storage) GetKeyByIDAndClientID(ctx context.Context, keyID, clientID string) (*jose.JSONWebKey, error) {
	return nil, errors.New("private_key_jwt is not enabled")
}

func (s *Storage) ValidateJWTProfileScopes(ctx context.Context, userID string, scopes []string) ([]string, error) {
	return scopes, nil
}

func (s *Storage) Health(ctx context.Context) error {
	_, err := s.ns.Get(ctx, "oidc/keys/active")
	return err
}

// publishKey stores a new key pair and switches the active key id.
func (s *Storage) publishKey(ctx context.Context, key *rsa.PrivateKey) (string, error) {
	kid := newID()[:16]
	priv := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	pub := pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&key.PublicKey)})
	if err := s.ns.Put(ctx, "oidc/keys/private/"+kid, priv, 0); err != nil {
		return "", err
	}
	if err := s.ns.Put(ctx, "oidc/keys/public/"+kid, pub, 0); err != nil {
		return "", err
	}
	return kid, s.ns.Put(ctx, "oidc/keys/active", []byte(kid), 0)
}

// RotateSigningKey generates and activates a new signing key.
func (s *Storage) RotateSigningKey(ctx context.Context) (string, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", err
	}
	return s.publishKey(ctx, key)
}
