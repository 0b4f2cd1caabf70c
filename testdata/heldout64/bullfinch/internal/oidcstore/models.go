package oidcstore

import (
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// AuthRequest is the stored authorization request, shaped like the
// library's example storage.
type AuthRequest struct {
	ID            string              `json:"id"`
	CreationDate  time.Time           `json:"created"`
	ApplicationID string              `json:"client_id"`
	CallbackURI   string              `json:"redirect_uri"`
	TransferState string              `json:"state"`
	Prompt        []string            `json:"prompt,omitempty"`
	LoginHint     string              `json:"login_hint,omitempty"`
	UserID        string              `json:"user_id,omitempty"`
	Scopes        []string            `json:"scopes"`
	ResponseType  oidc.ResponseType   `json:"response_type"`
	ResponseMode  oidc.ResponseMode   `json:"response_mode,omitempty"`
	Nonce         string              `json:"nonce,omitempty"`
	CodeChallenge *oidc.CodeChallenge `json:"code_challenge,omitempty"`
	IsDone        bool                `json:"done"`
	AuthTime      time.Time           `json:"auth_time,omitzero"`
}

var _ op.AuthRequest = (*AuthRequest)(nil)

func (a *AuthRequest) GetID() string                         { return a.ID }
func (a *AuthRequest) GetACR() string                        { return "" }
func (a *AuthRequest) GetAMR() []string                      { return []string{"pwd"} }
func (a *AuthRequest) GetAudience() []string                 { return []string{a.ApplicationID} }
func (a *AuthRequest) GetAuthTime() time.Time                { return a.AuthTime }
func (a *AuthRequest) GetClientID() string                   { return a.ApplicationID }
func (a *AuthRequest) GetCodeChallenge() *oidc.CodeChallenge { return a.CodeChallenge }
func (a *AuthRequest) GetNonce() string                      { return a.Nonce }
func (a *AuthRequest) GetRedirectURI() string                { return a.CallbackURI }
func (a *AuthRequest) GetResponseType() oidc.ResponseType    { return a.ResponseType }
func (a *AuthRequest) GetResponseMode() oidc.ResponseMode    { return a.ResponseMode }
func (a *AuthRequest) GetScopes() []string                   { return a.Scopes }
func (a *AuthRequest) GetState() string                      { return a.TransferState }
func (a *AuthRequest) GetSubject() string                    { return a.UserID }
func (a *AuthRequest) Done() bool                            { return a.IsDone }

// RefreshToken is the stored refresh token record.
type RefreshToken struct {
	ID            string    `json:"id"`
	Token         string    `json:"token"`
	AuthTime      time.Time `json:"auth_time"`
	AMR           []string  `json:"amr"`
	Audience      []string  `json:"aud"`
	UserID        string    `json:"sub"`
	ApplicationID string    `json:"client_id"`
	Expiration    time.Time `json:"exp"`
	Scopes        []string  `json:"scopes"`
	AccessToken   string    `json:"access_token"`
}

func (r *RefreshToken) GetAMR() []string            { return r.AMR }
func (r *RefreshToken) GetAudience() []string       { return r.Audience }
func (r *RefreshToken) GetAuthTime() time.Time      { return r.AuthTime }
func (r *RefreshToken) GetClientID() string         { return r.ApplicationID }
func (r *RefreshToken) GetScopes() []string         { return r.Scopes }
func (r *RefreshToken) GetSubject() string          { return r.UserID }
func (r *RefreshToken) SetCurrentScopes(s []string) { r.Scopes = s }

// AccessToken is the stored access token record.
type AccessToken struct {
	ID             string    `json:"id"`
	ApplicationID  string    `json:"client_id"`
	Subject        string    `json:"sub"`
	RefreshTokenID string    `json:"refresh_token_id,omitempty"`
	Audience       []string  `json:"aud"`
	Expiration     time.Time `json:"exp"`
	Scopes         []string  `json:"scopes"`
}

// Client is a registered relying party (a shop's storefront app).
type Client struct {
	ClientID     string             `json:"id"`
	Secret       string             `json:"secret"`
	Redirects    []string           `json:"redirect_uris"`
	PostLogout   []string           `json:"post_logout_redirect_uris"`
	AppType      op.ApplicationType `json:"app_type"`
	Method       oidc.AuthMethod    `json:"auth_method"`
	LoginBaseURL string             `json:"login_url"`
	IDLifetime   time.Duration      `json:"id_token_lifetime"`
}

var _ op.Client = (*Client)(nil)

func (c *Client) GetID() string                       { return c.ClientID }
func (c *Client) RedirectURIs() []string              { return c.Redirects }
func (c *Client) PostLogoutRedirectURIs() []string    { return c.PostLogout }
func (c *Client) ApplicationType() op.ApplicationType { return c.AppType }
func (c *Client) AuthMethod() oidc.AuthMethod         { return c.Method }
func (c *Client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c *Client) GrantTypes() []oidc.GrantType {
	return []oidc.GrantType{oidc.GrantTypeCode, oidc.GrantTypeRefreshToken}
}
func (c *Client) LoginURL(id string) string           { return c.LoginBaseURL + "?authRequestID=" + id }
func (c *Client) AccessTokenType() op.AccessTokenType { return op.AccessTokenTypeBearer }
func (c *Client) IDTokenLifetime() time.Duration      { return c.IDLifetime }
func (c *Client) DevMode() bool                       { return false }
func (c *Client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c *Client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c *Client) IsScopeAllowed(string) bool           { return false }
func (c *Client) IDTokenUserinfoClaimsAssertion() bool { return false }
func (c *Client) ClockSkew() time.Duration             { return 0 }
