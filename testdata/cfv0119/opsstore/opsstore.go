// Package opsstore is an adapter whose reads go through its own wrapper
// and which hands out its client, account and namespace at once for the
// writes it does not wrap.
package opsstore

import (
	"context"

	"github.com/cloudflare/cloudflare-go"
)

type Store struct {
	api         *cloudflare.API
	rc          *cloudflare.ResourceContainer
	namespaceID string
}

func New(api *cloudflare.API, account, namespaceID string) *Store {
	return &Store{api: api, rc: cloudflare.AccountIdentifier(account), namespaceID: namespaceID}
}

func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	return s.api.GetWorkersKV(ctx, s.rc, cloudflare.GetWorkersKVParams{NamespaceID: s.namespaceID, Key: key})
}

// API hands out what the store holds, for writes it has no wrapper for.
func (s *Store) API() (*cloudflare.API, *cloudflare.ResourceContainer, string) {
	return s.api, s.rc, s.namespaceID
}
