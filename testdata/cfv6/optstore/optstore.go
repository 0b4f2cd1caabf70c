// Package optstore is a KV adapter whose settings are optional, held by
// pointer: nil means the default. Every method traces its call with a
// deferred function, so its results are named and live in variables.
package optstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"kvlint.test/cfv6/optional"
)

// WriteOpts are a write's optional settings.
type WriteOpts struct {
	TTL      *time.Duration
	ExpireAt *time.Time
}

// ListOpts are a list's optional settings.
type ListOpts struct {
	Prefix *string
	Limit  *int
	Cursor string
}

// Store is one namespace.
type Store struct {
	client  *cloudflare.Client
	account string
	ns      string
}

// New returns a Store.
func New(client *cloudflare.Client, account, ns string) *Store {
	return &Store{client: client, account: account, ns: ns}
}

func trace(op string) func(*error) { return func(*error) {} }

// Get returns the value at key; a failure, a missing key among them, is
// an error.
func (s *Store) Get(ctx context.Context, key string) (raw []byte, err error) {
	defer trace("get")(&err)
	res, err := s.client.KV.Namespaces.Values.Get(ctx, s.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.account)})
	if err != nil {
		return nil, fmt.Errorf("get %q: %w", key, err)
	}
	defer res.Body.Close()
	if raw, err = io.ReadAll(res.Body); err != nil {
		return nil, err
	}
	return raw, nil
}

// Lookup is Get with a missing key reported as found == false.
func (s *Store) Lookup(ctx context.Context, key string) ([]byte, bool, error) {
	raw, err := s.Get(ctx, key)
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return nil, false, nil
		}
		return nil, false, err
	}
	return raw, true, nil
}

// Put writes value at key.
func (s *Store) Put(ctx context.Context, key string, value []byte, o WriteOpts) (err error) {
	defer trace("put")(&err)
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	if o.TTL != nil {
		params.ExpirationTTL = cloudflare.F(float64(optional.Seconds(*o.TTL)))
	}
	if o.ExpireAt != nil {
		params.Expiration = cloudflare.F(float64(o.ExpireAt.Unix()))
	}
	_, err = s.client.KV.Namespaces.Values.Update(ctx, s.ns, key, params)
	return err
}

// Keys lists one page.
func (s *Store) Keys(ctx context.Context, o ListOpts) (keys []string, cursor string, err error) {
	defer trace("list")(&err)
	page, err := s.client.KV.Namespaces.Keys.List(ctx, s.ns, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.account),
		Prefix:    cloudflare.F(optional.Deref(o.Prefix, "")),
		Limit:     cloudflare.F(float64(optional.Deref(o.Limit, 1000))),
		Cursor:    cloudflare.F(o.Cursor),
	})
	if err != nil {
		return nil, "", err
	}
	for _, k := range page.Result {
		keys = append(keys, k.Name)
	}
	return keys, page.ResultInfo.Cursor, nil
}
