// Package session logs out through a configured KV-shaped interface.
package session

import (
	"context"

	"kvlint.test/syumai033/iface"
)

func Logout(ctx context.Context, c iface.Cache, sid string) error { // want Logout:"kvsession"
	return c.Delete(ctx, "session:"+sid) // want `A session revoked or consumed by a KV delete`
}

// Quiet: a cached page.
func Purge(ctx context.Context, c iface.Cache, path string) error {
	return c.Delete(ctx, "page:"+path)
}

// apiKeys keeps each token under its hash, and an entry per customer
// and key ID that names the hash.
type apiKeys struct {
	tokens, customerTokens iface.Cache
}

// The entry is read to find the token's hash: the revocation is the
// delete of the token it names; the entry's own delete is its index's
// cleanup.
func (a *apiKeys) Revoke(ctx context.Context, customer, keyID string) error { // want Revoke:"kvsession"
	hash, err := a.customerTokens.Get(ctx, customer+":"+keyID)
	if err != nil {
		return err
	}
	if err := a.tokens.Delete(ctx, hash); err != nil { // want `A token revoked or consumed by a KV delete`
		return err
	}
	return a.customerTokens.Delete(ctx, customer+":"+keyID)
}

// A refresh token's record names its family; the family is ended with it.
func (a *apiKeys) EndFamily(ctx context.Context, old string) error { // want EndFamily:"kvsession"
	fam, err := a.tokens.Get(ctx, "refresh:"+old)
	if err != nil {
		return err
	}
	rec := struct{ Family string }{Family: fam}
	if err := a.customerTokens.Delete(ctx, "fam-index:"+rec.Family); err != nil {
		return err
	}
	return a.tokens.Delete(ctx, "refresh:"+old) // want `A refresh token revoked or consumed by a KV delete`
}
