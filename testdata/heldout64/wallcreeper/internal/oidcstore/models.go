package oidcstore

import (
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// authRequest is the record kept under "authreq/<id>".
type authRequest struct {
	ID            string              `json:"id"`
	CreatedAt     time.Time           `json:"created_at"`
	ClientID      string              `json:"client_id"`
	RedirectURI   string              `json:"redirect_uri"`
	Scopes        []string            `json:"scopes"`
	State         string              `json:"state"`
	Nonce         string              `json:"nonce"`
	ResponseType  oidc.ResponseType   `json:"response_type"`
	ResponseMode  oidc.ResponseMode   `json:"response_mode"`
	CodeChallenge *oidc.CodeChallenge `json:"code_challenge,omitempty"`
	UserID        string              `json:"user_id,omitempty"`
	ClinicID      string              `json:"clinic_id,omitempty"`
	AuthTime      time.Time           `json:"auth_time"`
	IsDone        bool                `json:"done"`
}

var _ op.AuthRequest = (*authRequest)(nil)

func (a *authRequest) GetID() string                         { return a.ID }
func (a *authRequest) GetACR() string                        { return "" }
func (a *authRequest) GetAMR() []string                      { return []string{"pwd"} }
func (a *authRequest) GetAudience() []string                 { return []string{a.ClientID} }
func (a *authRequest) GetAuthTime() time.Time                { return a.AuthTime }
func (a *authRequest) GetClientID() string                   { return a.ClientID }
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge { return a.CodeChallenge }
func (a *authRequest) GetNonce() string                      { return a.Nonce }
func (a *authRequest) GetRedirectURI() string                { return a.RedirectURI }
func (a *authRequest) GetResponseType() oidc.ResponseType    { return a.ResponseType }
func (a *authRequest) GetResponseMode() oidc.ResponseMode    { return a.ResponseMode }
func (a *authRequest) GetScopes() []string                   { return a.Scopes }
func (a *authRequest) GetState() string                      { return a.State }
func (a *authRequest) GetSubject() string                    { return a.UserID }
func (a *authRequest) Done() bool                            { return a.IsDone }

func authRequestFromOIDC(req *oidc.AuthRequest, userID string) *authRequest {
	ar := &authRequest{
		CreatedAt:    time.Now().UTC(),
		ClientID:     req.ClientID,
		RedirectURI:  req.RedirectURI,
		Scopes:       req.Scopes,
		State:        req.State,
		Nonce:        req.Nonce,
		ResponseType: req.ResponseType,
		ResponseMode: req.ResponseMode,
		UserID:       userID,
	}
	if req.CodeChallenge != "" {
		ar.CodeChallenge = &oidc.CodeChallenge{Challenge: req.CodeChallenge, Method: req.CodeChallengeMethod}
	}
	return ar
}

// accessToken is the record kept under "at/<id>".
type accessToken struct {
	ID             string    `json:"id"`
	ClientID       string    `json:"client_id"`
	Subject        string    `json:"sub"`
	RefreshTokenID string    `json:"rt,omitempty"`
	Audience       []string  `json:"aud"`
	Scopes         []string  `json:"scopes"`
	Expiration     time.Time `json:"exp"`
}

// refreshToken is the record kept under "rt/<user>/<client>/<token>".
type refreshToken struct {
	ID            string    `json:"id"`
	Token         string    `json:"token"`
	AuthTime      time.Time `json:"auth_time"`
	AMR           []string  `json:"amr"`
	Audience      []string  `json:"aud"`
	UserID        string    `json:"user_id"`
	ClientID      string    `json:"client_id"`
	Expiration    time.Time `json:"exp"`
	Scopes        []string  `json:"scopes"`
	AccessTokenID string    `json:"at"`
}

type refreshTokenRequest struct{ *refreshToken }

func (r *refreshTokenRequest) GetAMR() []string            { return r.AMR }
func (r *refreshTokenRequest) GetAudience() []string       { return r.Audience }
func (r *refreshTokenRequest) GetAuthTime() time.Time      { return r.AuthTime }
func (r *refreshTokenRequest) GetClientID() string         { return r.ClientID }
func (r *refreshTokenRequest) GetScopes() []string         { return r.Scopes }
func (r *refreshTokenRequest) GetSubject() string          { return r.UserID }
func (r *refreshTokenRequest) SetCurrentScopes(s []string) { r.Scopes = s }

// staffClient is a registered staff application.
type staffClient struct {
	id            string
	secretHash    string
	redirectURIs  []string
	postLogout    []string
	appType       op.ApplicationType
	authMethod    oidc.AuthMethod
	loginURL      func(string) string
	idTokenLife   time.Duration
	allowedScopes map[string]bool
}

var _ op.Client = (*staffClient)(nil)

func (c *staffClient) GetID() string                       { return c.id }
func (c *staffClient) RedirectURIs() []string              { return c.redirectURIs }
func (c *staffClient) PostLogoutRedirectURIs() []string    { return c.postLogout }
func (c *staffClient) ApplicationType() op.ApplicationType { return c.appType }
func (c *staffClient) AuthMethod() oidc.AuthMethod         { return c.authMethod }
func (c *staffClient) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c *staffClient) GrantTypes() []oidc.GrantType {
	return []oidc.GrantType{oidc.GrantTypeCode, oidc.GrantTypeRefreshToken}
}
func (c *staffClient) LoginURL(id string) string            { return c.loginURL(id) }
func (c *staffClient) AccessTokenType() op.AccessTokenType  { return op.AccessTokenTypeBearer }
func (c *staffClient) IDTokenLifetime() time.Duration       { return c.idTokenLife }
func (c *staffClient) DevMode() bool                        { return false }
func (c *staffClient) IsScopeAllowed(scope string) bool     { return c.allowedScopes[scope] }
func (c *staffClient) IDTokenUserinfoClaimsAssertion() bool { return false }
func (c *staffClient) ClockSkew() time.Duration             { return 0 }
func (c *staffClient) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c *staffClient) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

// signingKey is the active RSA key, stored as a JWK under "keys/active".
type signingKey struct {
	jwk jose.JSONWebKey
}

func (k *signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k *signingKey) Key() any                                    { return k.jwk.Key }
func (k *signingKey) ID() string                                  { return k.jwk.KeyID }

type publicKey struct {
	jwk jose.JSONWebKey
}

func (k *publicKey) ID() string                         { return k.jwk.KeyID }
func (k *publicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k *publicKey) Use() string                        { return "sig" }
func (k *publicKey) Key() any                           { return k.jwk.Key }
