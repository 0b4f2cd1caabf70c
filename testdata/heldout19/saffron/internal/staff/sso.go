//go:build js && wasm

package staff

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/url"

	"github.com/syumai/workers/cloudflare/kv"
)

// IdentityProvider describes the group's OIDC provider. Exchange redeems an
// authorization code and returns the verified e-mail address.
type IdentityProvider struct {
	AuthorizeURL string
	ClientID     string
	RedirectURL  string
	Exchange     func(ctx context.Context, code, verifier string) (string, error)
}

// pkceTTL bounds how long a sign-in round trip may take, in seconds.
const pkceTTL = 30

// BeginSSO starts an authorization-code flow with PKCE and returns the URL
// to send the browser to.
func (a *Auth) BeginSSO(ctx context.Context, restaurant string) (string, error) {
	ns, err := a.sessions()
	if err != nil {
		return "", err
	}
	state := randomToken(16)
	verifier := randomToken(48)
	sum := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])
	rec, _ := json.Marshal(map[string]string{"verifier": verifier, "restaurant": restaurant})
	err = ns.PutString("pkce:"+state, string(rec), &kv.PutOptions{
		ExpirationTTL: pkceTTL, // EXPECT kvttl
	})
	if err != nil {
		return "", err
	}
	q := url.Values{
		"response_type":         {"code"},
		"client_id":             {a.idp.ClientID},
		"redirect_uri":          {a.idp.RedirectURL},
		"scope":                 {"openid email"},
		"state":                 {state},
		"code_challenge":        {challenge},
		"code_challenge_method": {"S256"},
	}
	return a.idp.AuthorizeURL + "?" + q.Encode(), nil
}

// FinishSSO completes the flow and opens a session.
func (a *Auth) FinishSSO(ctx context.Context, state, code string) (Session, error) {
	ns, err := a.sessions()
	if err != nil {
		return Session{}, err
	}
	raw, err := ns.GetString("pkce:"+state, nil)
	if err != nil {
		return Session{}, err
	}
	if raw == "<null>" {
		return Session{}, ErrStateExpired
	}
	if err := ns.Delete("pkce:" + state); err != nil { // EXPECT kvsession
		return Session{}, err
	}
	var rec struct {
		Verifier   string `json:"verifier"`
		Restaurant string `json:"restaurant"`
	}
	if err := json.Unmarshal([]byte(raw), &rec); err != nil {
		return Session{}, err
	}
	email, err := a.idp.Exchange(ctx, code, rec.Verifier)
	if err != nil {
		return Session{}, err
	}
	m, found, err := a.member(email)
	if err != nil {
		return Session{}, err
	}
	if !found || !worksAt(m, rec.Restaurant) {
		return Session{}, ErrBadLogin
	}
	return a.open(ns, m, rec.Restaurant)
}
