// Package ttlstore is an adapter over the v6 SDK whose Put takes a
// lifetime as a time.Duration and sends one only when it is positive.
package ttlstore

import (
	"context"
	"io"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

type Store struct {
	Client    *cloudflare.Client
	AccountID string
	Namespace string
}

func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := s.Client.KV.Namespaces.Values.Get(ctx, s.Namespace, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.AccountID)})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

func (s *Store) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.AccountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	_, err := s.Client.KV.Namespaces.Values.Update(ctx, s.Namespace, key, params)
	return err
}
