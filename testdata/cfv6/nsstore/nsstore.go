// Package nsstore holds a client with the namespace and account it works
// on, behind getters; callers make the SDK calls themselves.
package nsstore

import (
	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
)

type Store struct {
	client  *cloudflare.Client
	ns      string
	account string
}

func New(client *cloudflare.Client, ns, account string) *Store {
	return &Store{client: client, ns: ns, account: account}
}

func (s *Store) Namespaces() *kv.NamespaceService { return s.client.KV.Namespaces }
func (s *Store) NamespaceID() string              { return s.ns }
func (s *Store) Account() string                  { return s.account }
