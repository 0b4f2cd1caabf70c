// Package cfkv6 is the Workers KV adapter built on the generated
// cloudflare-go v6 client. Services receive Handles: a namespace, a key
// prefix and a default lifetime bound together.
package cfkv6

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/option"
)

// Store wraps the generated client for one account.
type Store struct {
	client  *cloudflare.Client
	account string
}

// New builds a Store.
func New(accountID string, opts ...option.RequestOption) *Store {
	base := []option.RequestOption{option.WithMaxRetries(2), option.WithRequestTimeout(15 * time.Second)}
	return &Store{client: cloudflare.NewClient(append(base, opts...)...), account: accountID}
}

func (s *Store) values() *kv.NamespaceValueService { return s.client.KV.Namespaces.Values }
func (s *Store) keys() *kv.NamespaceKeyService     { return s.client.KV.Namespaces.Keys }

// Namespace returns a handle factory for one namespace.
func (s *Store) Namespace(id string) *Namespace { return &Namespace{s: s, id: id} }

type Namespace struct {
	s  *Store
	id string
}

func (n *Namespace) ID() string { return n.id }

// Prefixed returns a handle whose keys all start with prefix.
func (n *Namespace) Prefixed(prefix string) *Handle { return &Handle{s: n.s, ns: n.id, prefix: prefix} }

func isMissing(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

func readBody(res *http.Response) ([]byte, error) {
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

func (s *Store) get(ctx context.Context, ns, key string) ([]byte, error) {
	res, err := s.values().Get(ctx, ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.account)})
	if err != nil {
		return nil, err
	}
	return readBody(res)
}
