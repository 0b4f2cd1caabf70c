// Package asyncstore is a KV adapter in continuation-passing style: a get
// runs in the background and hands what it read to a completion callback.
package asyncstore

import (
	"context"
	"io"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

type Namespace struct {
	client  *cloudflare.Client
	account string
	id      string
}

func (n *Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := n.client.KV.Namespaces.Values.Get(ctx, n.id, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(n.account)})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

func (n *Namespace) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	_, err := n.client.KV.Namespaces.Values.Update(ctx, n.id, key, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(n.account),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
		ExpirationTTL: cloudflare.F(ttl.Seconds()),
	})
	return err
}

// GetAsync reads key in the background and calls cb with the outcome.
func (n *Namespace) GetAsync(ctx context.Context, key string, cb func(val []byte, err error)) {
	go func() { cb(n.Get(ctx, key)) }()
}

// GetThen reads key and calls found only when it is there.
func (n *Namespace) GetThen(ctx context.Context, key string, found func([]byte), failed func(error)) {
	v, err := n.Get(ctx, key)
	if err != nil {
		failed(err)
		return
	}
	found(v)
}

// PutAsync writes in the background and reports to done, which may be nil.
func (n *Namespace) PutAsync(ctx context.Context, key string, value []byte, ttl time.Duration, done func(error)) {
	go func() {
		err := n.Put(ctx, key, value, ttl)
		if done != nil {
			done(err)
		}
	}()
}
