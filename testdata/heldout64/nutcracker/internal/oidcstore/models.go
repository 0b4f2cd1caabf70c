package oidcstore

import (
	"crypto/rsa"
	"slices"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// authRequest is the persisted form of an authorization request.
type authRequest struct {
	ID            string              `json:"id"`
	CreatedAt     time.Time           `json:"created_at"`
	ClientID      string              `json:"client_id"`
	RedirectURI   string              `json:"redirect_uri"`
	State         string              `json:"state"`
	Nonce         string              `json:"nonce"`
	Scopes        []string            `json:"scopes"`
	ResponseType  oidc.ResponseType   `json:"response_type"`
	ResponseMode  oidc.ResponseMode   `json:"response_mode"`
	CodeChallenge *oidc.CodeChallenge `json:"code_challenge,omitempty"`
	UserID        string              `json:"user_id"`
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

func newAuthRequest(id string, req *oidc.AuthRequest, userID string) *authRequest {
	a := &authRequest{
		ID:           id,
		CreatedAt:    time.Now().UTC(),
		ClientID:     req.ClientID,
		RedirectURI:  req.RedirectURI,
		State:        req.State,
		Nonce:        req.Nonce,
		Scopes:       req.Scopes,
		ResponseType: req.ResponseType,
		ResponseMode: req.ResponseMode,
		UserID:       userID,
	}
	if req.CodeChallenge != "" {
		a.CodeChallenge = &oidc.CodeChallenge{Challenge: req.CodeChallenge, Method: req.CodeChallengeMethod}
	}
	return a
}

// accessToken is an opaque access token record.
type accessToken struct {
	ID       string    `json:"id"`
	ClientID string    `json:"client_id"`
	Subject  string    `json:"sub"`
	Audience []string  `json:"aud"`
	Scopes   []string  `json:"scopes"`
	Expires  time.Time `json:"exp"`
}

// refreshToken is a refresh token record; it doubles as the RefreshTokenRequest.
type refreshToken struct {
	Token    string    `json:"token"`
	ClientID string    `json:"client_id"`
	Subject  string    `json:"sub"`
	Audience []string  `json:"aud"`
	Scopes   []string  `json:"scopes"`
	AMR      []string  `json:"amr"`
	AuthTime time.Time `json:"auth_time"`
	Expires  time.Time `json:"exp"`
}

var _ op.RefreshTokenRequest = (*refreshToken)(nil)

func (r *refreshToken) GetAMR() []string                 { return r.AMR }
func (r *refreshToken) GetAudience() []string            { return r.Audience }
func (r *refreshToken) GetAuthTime() time.Time           { return r.AuthTime }
func (r *refreshToken) GetClientID() string              { return r.ClientID }
func (r *refreshToken) GetScopes() []string              { return r.Scopes }
func (r *refreshToken) GetSubject() string               { return r.Subject }
func (r *refreshToken) SetCurrentScopes(scopes []string) { r.Scopes = scopes }

// Client is a registered partner application.
type Client struct {
	ID            string             `json:"id"`
	SecretSHA256  string             `json:"secret_sha256"`
	Name          string             `json:"name"`
	Redirects     []string           `json:"redirect_uris"`
	PostLogout    []string           `json:"post_logout_redirect_uris"`
	AppType       op.ApplicationType `json:"application_type"`
	Method        oidc.AuthMethod    `json:"auth_method"`
	Grants        []oidc.GrantType   `json:"grant_types"`
	AllowedScopes []string           `json:"scopes"`
	Dev           bool               `json:"dev_mode"`
}

var _ op.Client = (*Client)(nil)

func (c *Client) GetID() string                       { return c.ID }
func (c *Client) RedirectURIs() []string              { return c.Redirects }
func (c *Client) PostLogoutRedirectURIs() []string    { return c.PostLogout }
func (c *Client) ApplicationType() op.ApplicationType { return c.AppType }
func (c *Client) AuthMethod() oidc.AuthMethod         { return c.Method }
func (c *Client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c *Client) GrantTypes() []oidc.GrantType         { return c.Grants }
func (c *Client) LoginURL(id string) string            { return "/login?authRequestID=" + id }
func (c *Client) AccessTokenType() op.AccessTokenType  { return op.AccessTokenTypeBearer }
func (c *Client) IDTokenLifetime() time.Duration       { return time.Hour }
func (c *Client) DevMode() bool                        { return c.Dev }
func (c *Client) IsScopeAllowed(scope string) bool     { return slices.Contains(c.AllowedScopes, scope) }
func (c *Client) IDTokenUserinfoClaimsAssertion() bool { return false }
func (c *Client) ClockSkew() time.Duration             { return 0 }
func (c *Client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c *Client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

// signingKey wraps the active RSA key.
type signingKey struct {
	id  string
	key *rsa.PrivateKey
}

func (k *signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k *signingKey) Key() any                                    { return k.key }
func (k *signingKey) ID() string                                  { return k.id }

// publicKey is one entry of the published key set.
type publicKey struct {
	id  string
	key *rsa.PublicKey
}

func (k *publicKey) ID() string                         { return k.id }
func (k *publicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k *publicKey) Use() string                        { return "sig" }
func (k *publicKey) Key() any                           { return k.key }
