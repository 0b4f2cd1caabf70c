// Package kvsession holds kvsession's strict-mode cases on the generated
// cloudflare-go/v6, from a backend that publishes login tokens for a Worker.
package kvsession

import (
	"context"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

type publisher struct {
	client  *cloudflare.Client
	account string
	ns      string
}

func (p *publisher) put(ctx context.Context, key, value string, ttl float64) error {
	_, err := p.client.KV.Namespaces.Values.Update(ctx, p.ns, key, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(p.account),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
		ExpirationTTL: cloudflare.F(ttl),
	})
	return err
}

// In strict mode, a session that the next request must see is reported.
func (p *publisher) login(ctx context.Context, sid, user string) error { // want login:"kvsession"
	return p.put(ctx, "session:"+sid, user, 3600) // want `A session created in KV: the next request may reach a location that does not see it`
}

// An authorization code read back at the token endpoint.
func (p *publisher) issueCode(ctx context.Context, code, client string) error { // want issueCode:"kvsession"
	return p.put(ctx, "authcode:"+code, client, 600) // want `An authorization code created in KV`
}

// Logout is reported in any mode.
func (p *publisher) logout(ctx context.Context, sid string) error { // want logout:"kvsession"
	_, err := p.client.KV.Namespaces.Values.Delete(ctx, p.ns, "session:"+sid, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(p.account)}) // want `A session revoked or consumed`
	return err
}

// Quiet even in strict mode: public configuration.
func (p *publisher) publishConfig(ctx context.Context, body string) error {
	return p.put(ctx, "config:site", body, 86400)
}

// sessionKeys lists a user's session keys, one bounded page.
func (p *publisher) sessionKeys(ctx context.Context, user string) ([]string, error) {
	res, err := p.client.KV.Namespaces.Keys.List(ctx, p.ns, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(p.account),
		Prefix:    cloudflare.F(user + "/"),
		Limit:     cloudflare.F(100.0),
	})
	if err != nil {
		return nil, err
	}
	var names []string
	for _, k := range res.Result {
		names = append(names, k.Name)
	}
	return names, nil
}

// A bulk delete of the keys a helper named for sessions returns.
func (p *publisher) signOutEverywhere(ctx context.Context, user string) error { // want signOutEverywhere:"kvsession"
	names, err := p.sessionKeys(ctx, user)
	if err != nil {
		return err
	}
	_, err = p.client.KV.Namespaces.BulkDelete(ctx, p.ns, kv.NamespaceBulkDeleteParams{ // want `A session revoked or consumed by a KV delete`
		AccountID: cloudflare.F(p.account),
		Body:      names,
	})
	return err
}
