// Package fluent is a store with functional write options and an
// immutable entry builder whose TTL method adds one.
package fluent

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

type Option func(*PutOptions)

func WithTTL(d time.Duration) Option { return func(o *PutOptions) { o.TTL = d } }

type Store struct {
	client    *cloudflare.Client
	accountID string
	ns        string
}

func (st *Store) Put(ctx context.Context, key string, value []byte, opts ...Option) error {
	var o PutOptions
	for _, opt := range opts {
		opt(&o)
	}
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

// Entry describes one write; each method returns a changed copy.
type Entry struct {
	st    *Store
	key   string
	value []byte
	opts  []Option
}

func (st *Store) Entry(key string) Entry { return Entry{st: st, key: key} }

func (e Entry) with(o Option) Entry {
	e.opts = append(e.opts[:len(e.opts):len(e.opts)], o)
	return e
}

func (e Entry) Value(v []byte) Entry { e.value = v; return e }

func (e Entry) TTL(d time.Duration) Entry { return e.with(WithTTL(d)) }

func (e Entry) Put(ctx context.Context) error { return e.st.Put(ctx, e.key, e.value, e.opts...) }
