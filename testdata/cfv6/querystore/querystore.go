// Package querystore is a KV adapter of another package that sends a
// lifetime as the expiration_ttl query parameter, only when positive.
package querystore

import (
	"context"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/option"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// PutOptions holds the lifetime of a write: zero never expires.
type PutOptions struct {
	TTL time.Duration
}

type Store struct {
	Client *cloudflare.Client
}

func (s *Store) Put(ctx context.Context, key, value string, opts PutOptions) error {
	var reqOpts []option.RequestOption
	if opts.TTL > 0 {
		reqOpts = append(reqOpts, option.WithQuery("expiration_ttl", strconv.Itoa(int(opts.TTL.Seconds()))))
	}
	_, err := s.Client.KV.Namespaces.Values.Update(ctx, "ns", key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F("acct"),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}, reqOpts...)
	return err
}
