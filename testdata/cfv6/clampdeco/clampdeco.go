// Package clampdeco is a store with functional write options; package
// deco has a decorator whose Put raises any lifetime under a minute
// before it passes the options on.
package clampdeco

import (
	"context"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

type PutOptions struct {
	TTL time.Duration
}

type PutOption func(*PutOptions)

func WithTTL(d time.Duration) PutOption { return func(o *PutOptions) { o.TTL = d } }

func ApplyPut(opts []PutOption) PutOptions {
	var o PutOptions
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

type Writer interface {
	Put(ctx context.Context, key, value string, opts ...PutOption) error
}

type Store struct {
	client    *cloudflare.Client
	accountID string
	ns        string
}

func (st *Store) Put(ctx context.Context, key, value string, opts ...PutOption) error {
	o := ApplyPut(opts)
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(st.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	if o.TTL > 0 {
		params.ExpirationTTL = cloudflare.F(o.TTL.Seconds())
	}
	_, err := st.client.KV.Namespaces.Values.Update(ctx, st.ns, key, params)
	return err
}
