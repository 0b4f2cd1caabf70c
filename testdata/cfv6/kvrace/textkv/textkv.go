// Package textkv is a store whose methods name keys through
// encoding.TextMarshaler, as keys that render themselves do.
package textkv

import (
	"context"
	"encoding"
	"fmt"
	"io"
	"net/url"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// Store is one namespace of one account.
type Store struct {
	Client  *cloudflare.Client
	NS      string
	Account string
}

// Name is the key k renders.
func Name(k encoding.TextMarshaler) (string, error) {
	b, err := k.MarshalText()
	if err != nil {
		return "", fmt.Errorf("key: %w", err)
	}
	return string(b), nil
}

// Get reads the value under k.
func (s *Store) Get(ctx context.Context, k encoding.TextMarshaler) ([]byte, error) {
	name, err := Name(k)
	if err != nil {
		return nil, err
	}
	res, err := s.Client.KV.Namespaces.Values.Get(ctx, s.NS, url.PathEscape(name), kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.Account)})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Put writes v under k.
func (s *Store) Put(ctx context.Context, k encoding.TextMarshaler, v []byte) error {
	name, err := Name(k)
	if err != nil {
		return err
	}
	_, err = s.Client.KV.Namespaces.Values.Update(ctx, s.NS, url.PathEscape(name), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.Account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(string(v))),
	})
	return err
}
