package oauth

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/option"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/identity/internal/store/kvsdk"
)

// Consent is the set of scopes a user has approved for a client. The consent
// screen Worker reads it from KV to skip the prompt.
type Consent struct {
	Scopes    []string  `json:"scopes"`
	GrantedAt time.Time `json:"granted_at"`
}

// Consents stores grants per user and client.
type Consents struct {
	ns kvsdk.Namespace
}

func NewConsents(ns kvsdk.Namespace) *Consents { return &Consents{ns: ns} }

func consentKey(uid, clientID string) string { return "consent:" + uid + ":" + clientID }

// Lookup returns the stored grant, or nil if the user never consented.
func (c *Consents) Lookup(ctx context.Context, uid, clientID string) (*Consent, error) {
	res, err := c.ns.Client.KV.Namespaces.Values.Get(ctx, c.ns.ID, consentKey(uid, clientID), kv.NamespaceValueGetParams{AccountID: cloudflare.F(c.ns.AccountID)})
	if err != nil {
		if kvsdk.IsNotFound(err) {
			return nil, nil
		}
		return nil, err
	}
	defer res.Body.Close()
	var out Consent
	return &out, json.NewDecoder(res.Body).Decode(&out)
}

// Grant adds scopes to the user's consent for clientID.
func (c *Consents) Grant(ctx context.Context, uid, clientID string, scopes []string) error {
	cur, err := c.Lookup(ctx, uid, clientID)
	if err != nil {
		return err
	}
	if cur == nil {
		cur = &Consent{}
	}
	for _, s := range scopes {
		if !slices.Contains(cur.Scopes, s) {
			cur.Scopes = append(cur.Scopes, s)
		}
	}
	slices.Sort(cur.Scopes)
	cur.GrantedAt = time.Now().UTC()
	b, err := json.Marshal(cur)
	if err != nil {
		return err
	}
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.ns.AccountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(b)),
	}
	_, err = c.ns.Client.KV.Namespaces.Values.Update(ctx, c.ns.ID, consentKey(uid, clientID), params, option.WithHeader("X-Request-Source", "consent")) // EXPECT kvrace
	return err
}
