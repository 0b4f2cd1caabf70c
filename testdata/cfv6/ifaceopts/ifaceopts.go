// Package ifaceopts is a store whose write options are values of an
// interface that the store applies to its settings.
package ifaceopts

import (
	"context"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

type settings struct {
	TTL time.Duration
}

// An Option changes how a value is written.
type Option interface {
	apply(*settings)
}

type ttl time.Duration

func (o ttl) apply(s *settings) { s.TTL = time.Duration(o) }

// ExpireIn expires the value d after the write.
func ExpireIn(d time.Duration) Option { return ttl(d) }

type seconds struct{ n int64 }

func (o seconds) apply(s *settings) { s.TTL = time.Duration(o.n) * time.Second }

// ExpireInSeconds expires the value n seconds after the write.
func ExpireInSeconds(n int64) Option { return seconds{n: n} }

type Store struct {
	client    *cloudflare.Client
	accountID string
	ns        string
}

func (st *Store) Put(ctx context.Context, key, value string, opts ...Option) error {
	var s settings
	for _, o := range opts {
		o.apply(&s)
	}
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(st.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	if s.TTL > 0 {
		params.ExpirationTTL = cloudflare.F(s.TTL.Seconds())
	}
	_, err := st.client.KV.Namespaces.Values.Update(ctx, st.ns, key, params)
	return err
}
