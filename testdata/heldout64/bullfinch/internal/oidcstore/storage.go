// Package oidcstore keeps the records of the shop-owner OpenID provider
// (auth requests, codes, tokens, signing keys) in Workers KV.
package oidcstore

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"
	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"bullfinch/internal/kv"
)

const (
	authRequestTTL = 10 * time.Minute
	// codeTTL keeps authorization codes short-lived, as RFC 6749 advises.
	codeTTL = 30 * time.Second
)

// Lifetimes are the token lifetimes configured for the provider.
type Lifetimes struct {
	AccessToken  time.Duration
	RefreshToken time.Duration
}

// Storage implements op.Storage on KV.
type Storage struct {
	ns        *kv.Namespace
	lifetimes Lifetimes
	users     UserDirectory
}

// UserDirectory is what the provider needs from the accounts service.
type UserDirectory interface {
	CheckPassword(ctx context.Context, userID, password string) error
	Email(ctx context.Context, userID string) (string, error)
}

var _ op.Storage = (*Storage)(nil)

// New returns the provider storage.
func New(ns *kv.Namespace, lt Lifetimes, users UserDirectory) *Storage {
	return &Storage{ns: ns, lifetimes: lt, users: users}
}

type notFound struct{ what string }

func (e notFound) Error() string { return e.what + " not found" }
func (notFound) IsNotFound()     {}

func newID() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *Storage) getJSON(ctx context.Context, key string, v any) error {
	raw, err := s.ns.Get(ctx, key)
	if errors.Is(err, kv.ErrNotFound) {
		return notFound{key[:strings.IndexByte(key, ':')]}
	}
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

func (s *Storage) putJSON(ctx context.Context, key string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if ttl == 0 {
		return s.ns.Put(ctx, key, b)
	}
	return s.ns.PutTTL(ctx, key, b, ttl)
}

func (s *Storage) CreateAuthRequest(ctx context.Context, req *oidc.AuthRequest, userID string) (op.AuthRequest, error) {
	a := &AuthRequest{
		ID: newID(), CreationDate: time.Now().UTC(), ApplicationID: req.ClientID, CallbackURI: req.RedirectURI,
		TransferState: req.State, Prompt: req.Prompt, LoginHint: req.LoginHint, UserID: userID,
		Scopes: req.Scopes, ResponseType: req.ResponseType, ResponseMode: req.ResponseMode, Nonce: req.Nonce,
	}
	if req.CodeChallenge != "" {
		a.CodeChallenge = &oidc.CodeChallenge{Challenge: req.CodeChallenge, Method: req.CodeChallengeMethod}
	}
	return a, s.putJSON(ctx, "authreq:"+a.ID, a, authRequestTTL)
}

func (s *Storage) AuthRequestByID(ctx context.Context, id string) (op.AuthRequest, error) {
	var a AuthRequest
	return &a, s.getJSON(ctx, "authreq:"+id, &a)
}

func (s *Storage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	id, err := s.ns.Get(ctx, "code:"+code)
	if err != nil {
		return nil, err
	}
	return s.AuthRequestByID(ctx, string(id))
}

func (s *Storage) SaveAuthCode(ctx context.Context, id, code string) error {
	return s.ns.PutTTL(ctx, "code:"+code, []byte(id), codeTTL) // EXPECT kvttl
}

// CompleteLogin is called by the login UI once the owner has signed in.
func (s *Storage) CompleteLogin(ctx context.Context, id, userID, password string) error {
	if err := s.users.CheckPassword(ctx, userID, password); err != nil {
		return err
	}
	var a AuthRequest
	if err := s.getJSON(ctx, "authreq:"+id, &a); err != nil {
		return err
	}
	a.UserID, a.IsDone, a.AuthTime = userID, true, time.Now().UTC()
	return s.putJSON(ctx, "authreq:"+id, &a, authRequestTTL) // EXPECT kvsession|kvrace
}

func (s *Storage) DeleteAuthRequest(ctx context.Context, id string) error {
	return s.ns.Delete(ctx, "authreq:"+id) // EXPECT kvsession
}

func (s *Storage) CreateAccessToken(ctx context.Context, req op.TokenRequest) (string, time.Time, error) {
	t, err := s.accessToken(ctx, req, "")
	if err != nil {
		return "", time.Time{}, err
	}
	return t.ID, t.Expiration, nil
}

func clientOf(req op.TokenRequest) string {
	switch r := req.(type) {
	case *AuthRequest:
		return r.ApplicationID
	case *RefreshToken:
		return r.ApplicationID
	}
	return ""
}

func (s *Storage) accessToken(ctx context.Context, req op.TokenRequest, refreshID string) (*AccessToken, error) {
	t := &AccessToken{
		ID: newID(), ApplicationID: clientOf(req), Subject: req.GetSubject(), RefreshTokenID: refreshID,
		Audience: req.GetAudience(), Scopes: req.GetScopes(), Expiration: time.Now().Add(s.lifetimes.AccessToken),
	}
	b, _ := json.Marshal(t)
	if err := s.ns.PutUntil(ctx, "at:"+t.ID, b, t.Expiration); err != nil {
		return nil, err
	}
	return t, s.indexToken(ctx, t.Subject, t.ID)
}

// indexToken remembers which tokens belong to a user so that a logout can
// find them.
func (s *Storage) indexToken(ctx context.Context, userID, tokenID string) error {
	var ids []string
	if err := s.getJSON(ctx, "user-tokens:"+userID, &ids); err != nil && !errors.As(err, new(notFound)) {
		return err
	}
	ids = append(ids, tokenID)
	return s.putJSON(ctx, "user-tokens:"+userID, ids, s.lifetimes.RefreshToken) // EXPECT kvrace
}

func (s *Storage) CreateAccessAndRefreshTokens(ctx context.Context, req op.TokenRequest, current string) (string, string, time.Time, error) {
	if current != "" {
		if err := s.ns.Delete(ctx, "rt:"+current); err != nil { // EXPECT kvsession
			return "", "", time.Time{}, err
		}
	}
	rt := &RefreshToken{ID: newID(), Token: newID(), UserID: req.GetSubject(), Audience: req.GetAudience(),
		Scopes: req.GetScopes(), ApplicationID: clientOf(req), AuthTime: time.Now().UTC(), AMR: []string{"pwd"},
		Expiration: time.Now().Add(s.lifetimes.RefreshToken)}
	at, err := s.accessToken(ctx, req, rt.ID)
	if err != nil {
		return "", "", time.Time{}, err
	}
	rt.AccessToken = at.ID
	b, _ := json.Marshal(rt)
	err = s.ns.PutPairs(ctx, []*kvPair{{
		Key:           "rt:" + rt.Token,
		Value:         string(b),
		ExpirationTTL: int(s.lifetimes.RefreshToken), // EXPECT kvttl
	}})
	return at.ID, rt.Token, at.Expiration, err
}

func (s *Storage) TokenRequestByRefreshToken(ctx context.Context, token string) (op.RefreshTokenRequest, error) {
	var rt RefreshToken
	if err := s.getJSON(ctx, "rt:"+token, &rt); err != nil {
		return nil, op.ErrInvalidRefreshToken
	}
	if time.Now().After(rt.Expiration) {
		return nil, op.ErrInvalidRefreshToken
	}
	return &rt, nil
}

func (s *Storage) TerminateSession(ctx context.Context, userID, clientID string) error {
	var ids []string
	if err := s.getJSON(ctx, "user-tokens:"+userID, &ids); err != nil {
		return err
	}
	var errs []error
	for _, id := range ids {
		var t AccessToken
		if err := s.getJSON(ctx, "at:"+id, &t); err != nil || t.ApplicationID != clientID {
			continue
		}
		errs = append(errs, s.ns.Delete(ctx, "at:"+id)) // EXPECT kvsession
	}
	return errors.Join(errs...)
}

func (s *Storage) RevokeToken(ctx context.Context, tokenOrID, userID, clientID string) *oidc.Error {
	key := "at:" + tokenOrID
	if userID == "" {
		var rt RefreshToken
		if err := s.getJSON(ctx, "rt:"+tokenOrID, &rt); err != nil {
			return nil
		}
		if rt.ApplicationID != clientID {
			return oidc.ErrInvalidClient().WithDescription("token was not issued for this client")
		}
		key = "at:" + rt.AccessToken
	}
	if err := s.ns.PutTTL(ctx, "revoked:"+key, []byte(clientID), s.lifetimes.AccessToken); err != nil { // EXPECT kvsession
		return oidc.ErrServerError().WithParent(err)
	}
	return nil
}

func (s *Storage) GetRefreshTokenInfo(ctx context.Context, clientID, token string) (string, string, error) {
	var rt RefreshToken
	if err := s.getJSON(ctx, "rt:"+token, &rt); err != nil || rt.ApplicationID != clientID {
		return "", "", op.ErrInvalidRefreshToken
	}
	return rt.UserID, rt.ID, nil
}

// signingKey is the stored form of an RSA signing key.
type signingKey struct {
	KID string `json:"kid"`
	DER []byte `json:"der"`
	key *rsa.PrivateKey
}

func (k *signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k *signingKey) Key() any                                    { return k.key }
func (k *signingKey) ID() string                                  { return k.KID }

type publicKey struct{ signingKey }

func (k *publicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k *publicKey) Use() string                        { return "sig" }
func (k *publicKey) Key() any                           { return &k.key.PublicKey }

func (s *Storage) loadKey(ctx context.Context, key string) (*signingKey, error) {
	var k signingKey
	if err := s.getJSON(ctx, key, &k); err != nil {
		return nil, err
	}
	pk, err := x509.ParsePKCS1PrivateKey(k.DER)
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", k.KID, err)
	}
	k.key = pk
	return &k, nil
}

func (s *Storage) SigningKey(ctx context.Context) (op.SigningKey, error) {
	return s.loadKey(ctx, "jwks:active")
}

func (s *Storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

func (s *Storage) KeySet(ctx context.Context) ([]op.Key, error) {
	p, err := s.ns.ListPage(ctx, "jwks:published:", "", 100) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	keys := make([]op.Key, 0, len(p.Keys))
	for _, k := range p.Keys[:min(len(p.Keys), 8)] {
		sk, err := s.loadKey(ctx, k.Name) // DEBATABLE kvlist
		if err != nil {
			continue
		}
		keys = append(keys, &publicKey{*sk})
	}
	return keys, nil
}

// RotateKey generates a new signing key and keeps the old one published
// until notAfter so that tokens it signed still verify.
func (s *Storage) RotateKey(ctx context.Context, notAfter time.Time) error {
	old, err := s.loadKey(ctx, "jwks:active")
	if err != nil && !errors.As(err, new(notFound)) {
		return err
	}
	pk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	nk := signingKey{KID: newID()[:12], DER: x509.MarshalPKCS1PrivateKey(pk)}
	if err := s.putJSON(ctx, "jwks:published:"+nk.KID, nk, 0); err != nil {
		return err
	}
	if err := s.putJSON(ctx, "jwks:active", nk, 0); err != nil {
		return err
	}
	if old == nil {
		return nil
	}
	keep := time.Until(notAfter)
	if keep < 2*time.Minute {
		keep = 2 * time.Minute
	}
	return s.putJSON(ctx, "jwks:published:"+old.KID, old, keep)
}

func (s *Storage) GetClientByClientID(ctx context.Context, clientID string) (op.Client, error) {
	var c Client
	return &c, s.getJSON(ctx, "client:"+clientID, &c)
}

func (s *Storage) AuthorizeClientIDSecret(ctx context.Context, clientID, secret string) error {
	var c Client
	if err := s.getJSON(ctx, "client:"+clientID, &c); err != nil {
		return err
	}
	if c.Secret != secret {
		return errors.New("invalid client secret")
	}
	return nil
}

func (s *Storage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

func (s *Storage) SetUserinfoFromRequest(ctx context.Context, ui *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	return s.fillUserinfo(ctx, ui, req.GetSubject(), scopes)
}

func (s *Storage) fillUserinfo(ctx context.Context, ui *oidc.UserInfo, subject string, scopes []string) error {
	ui.Subject = subject
	for _, sc := range scopes {
		if sc == oidc.ScopeEmail {
			email, err := s.users.Email(ctx, subject)
			if err != nil {
				return err
			}
			ui.Email, ui.EmailVerified = email, true
		}
	}
	return nil
}

func (s *Storage) SetUserinfoFromToken(ctx context.Context, ui *oidc.UserInfo, tokenID, subject, origin string) error {
	var t AccessToken
	if err := s.getJSON(ctx, "at:"+tokenID, &t); err != nil {
		return err
	}
	if _, err := s.ns.Get(ctx, "revoked:at:"+tokenID); err == nil {
		return errors.New("token revoked")
	}
	return s.fillUserinfo(ctx, ui, t.Subject, t.Scopes)
}

func (s *Storage) SetIntrospectionFromToken(ctx context.Context, resp *oidc.IntrospectionResponse, tokenID, subject, clientID string) error {
	var t AccessToken
	if err := s.getJSON(ctx, "at:"+tokenID, &t); err != nil {
		return err
	}
	resp.Active = time.Now().Before(t.Expiration)
	resp.Scope = t.Scopes
	resp.ClientID = t.ApplicationID
	resp.Subject = t.Subject
	return nil
}

func (s *Storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

func (s *Storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errors.New("jwt profile grant not supported")
}

func (s *Storage) ValidateJWTProfileScopes(_ context.Context, _ string, scopes []string) ([]string, error) {
	return scopes, nil
}

func (s *Storage) Health(ctx context.Context) error {
	_, err := s.ns.ListPage(ctx, "client:", "", 10)
	return err
}

type kvPair = cloudflare.WorkersKVPair
