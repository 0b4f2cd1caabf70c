// Package putopts is a key-value store whose writes take their lifetime
// from an options struct: defaults kept in the store, and the caller's
// own options picked from a variadic parameter.
package putopts

import (
	"context"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// Options say how long a written value lives.
type Options struct {
	TTL      time.Duration
	ExpireAt time.Time
	Label    string
}

// Store writes JSON documents to one namespace.
type Store struct {
	client    *cloudflare.Client
	accountID string
	nsID      string
	defaults  Options
}

// Put writes v under key, with the caller's options if given, else the
// store's.
func (s *Store) Put(ctx context.Context, key, v string, opts ...Options) error {
	o := s.defaults
	if len(opts) > 0 {
		o = opts[0]
	}
	return s.write(ctx, key, v, o)
}

// write labels the options and sends them.
func (s *Store) write(ctx context.Context, key, v string, o Options) error {
	o.Label = "doc"
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(v)),
	}
	if o.TTL > 0 {
		params.ExpirationTTL = cloudflare.F(o.TTL.Seconds())
	}
	if !o.ExpireAt.IsZero() {
		params.Expiration = cloudflare.F(float64(o.ExpireAt.Unix()))
	}
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.nsID, key, params)
	return err
}

// Seconds is a lifetime in whole seconds, as KV takes it.
type Seconds int64

// SecondsOf converts d.
func SecondsOf(d time.Duration) Seconds { return Seconds(d / time.Second) }
