package oauth

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/identity/internal/store/kvsdk"
)

// pendingLogin is kept between the redirect to an upstream provider (Google,
// GitHub, ...) and its callback. It carries our PKCE verifier for that
// provider and where to send the user afterwards.
type pendingLogin struct {
	Provider string `json:"provider"`
	Verifier string `json:"verifier"`
	Nonce    string `json:"nonce"`
	ReturnTo string `json:"return_to"`
}

// Upstream drives login through an upstream OIDC provider.
type Upstream struct {
	ns        kvsdk.Namespace
	authorize map[string]string // provider -> authorization endpoint
	clientIDs map[string]string
	callback  string
}

// NewUpstream configures providers.
func NewUpstream(ns kvsdk.Namespace, callback string, authorize, clientIDs map[string]string) *Upstream {
	return &Upstream{ns: ns, authorize: authorize, clientIDs: clientIDs, callback: callback}
}

var ErrUnknownState = errors.New("oauth: unknown or expired state")

func stateKey(state string) string { return "oauth:state:" + state }

// Begin records a pending login and returns the provider URL to redirect to.
func (u *Upstream) Begin(ctx context.Context, provider, returnTo string) (string, error) {
	endpoint, ok := u.authorize[provider]
	if !ok {
		return "", fmt.Errorf("oauth: unknown provider %q", provider)
	}
	state := randomToken(24)
	p := pendingLogin{Provider: provider, Verifier: randomToken(48), Nonce: randomToken(16), ReturnTo: returnTo}
	b, err := json.Marshal(p)
	if err != nil {
		return "", err
	}
	_, err = u.ns.Client.KV.Namespaces.Values.Update(ctx, u.ns.ID, stateKey(state), kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(u.ns.AccountID),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(b)),
		ExpirationTTL: cloudflare.F(600.0),
	})
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(p.Verifier))
	q := url.Values{
		"response_type":         {"code"},
		"client_id":             {u.clientIDs[provider]},
		"redirect_uri":          {u.callback},
		"scope":                 {"openid email profile"},
		"state":                 {state},
		"nonce":                 {p.Nonce},
		"code_challenge":        {base64.RawURLEncoding.EncodeToString(sum[:])},
		"code_challenge_method": {"S256"},
	}
	return endpoint + "?" + q.Encode(), nil
}

// Complete looks up the pending login for state and removes it so a callback
// URL cannot be replayed.
func (u *Upstream) Complete(ctx context.Context, state string) (*pendingLogin, error) {
	res, err := u.ns.Client.KV.Namespaces.Values.Get(ctx, u.ns.ID, stateKey(state), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(u.ns.AccountID),
	})
	if kvsdk.IsNotFound(err) {
		return nil, ErrUnknownState
	}
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var p pendingLogin
	if err := json.NewDecoder(res.Body).Decode(&p); err != nil {
		return nil, err
	}
	_, err = u.ns.Client.KV.Namespaces.Values.Delete(ctx, u.ns.ID, stateKey(state), kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(u.ns.AccountID)}) // EXPECT kvsession
	if err != nil {
		return nil, err
	}
	return &p, nil
}
