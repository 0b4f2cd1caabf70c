// Package recrepo keeps records that know their own key, under a prefix
// of the repository's: found by a key, saved by the record's StoreKey.
package recrepo

import (
	"context"
	"encoding/json"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// Keyed is a record that knows its own key.
type Keyed interface{ StoreKey() string }

// Repo stores records of one type.
type Repo[T Keyed] struct {
	Client *cloudflare.Client
	NS     string
	Prefix string
}

// Find decodes the record stored under key.
func (r *Repo[T]) Find(ctx context.Context, key string) (T, error) {
	var v T
	res, err := r.Client.KV.Namespaces.Values.Get(ctx, r.NS, r.Prefix+key, kv.NamespaceValueGetParams{AccountID: cloudflare.F("acct")})
	if err != nil {
		return v, err
	}
	defer res.Body.Close()
	return v, json.NewDecoder(res.Body).Decode(&v)
}

// Save stores v under its own key.
func (r *Repo[T]) Save(ctx context.Context, v T) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = r.Client.KV.Namespaces.Values.Update(ctx, r.NS, r.Prefix+v.StoreKey(), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F("acct"),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(b)),
	})
	return err
}
