// Package capstore is a KV adapter with an optional capability: a
// Namespace may also be a MetaWriter, found by a type assertion.
package capstore

import (
	"context"
	"errors"

	"github.com/cloudflare/cloudflare-go"
)

// Namespace is what every store offers.
type Namespace interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte) error
}

// MetaWriter is offered by stores that can write metadata with a value.
type MetaWriter interface {
	PutMeta(ctx context.Context, key string, value []byte, meta map[string]any) error
}

// Store is the KV implementation of both.
type Store struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
}

var (
	_ Namespace  = (*Store)(nil)
	_ MetaWriter = (*Store)(nil)
)

// ErrNotFound is returned for a missing key.
var ErrNotFound = errors.New("capstore: not found")

func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	v, err := s.api.GetWorkersKV(ctx, s.rc, cloudflare.GetWorkersKVParams{NamespaceID: s.ns, Key: key})
	var nf *cloudflare.NotFoundError
	if errors.As(err, &nf) {
		return nil, ErrNotFound
	}
	return v, err
}

func (s *Store) Put(ctx context.Context, key string, value []byte) error {
	return s.PutMeta(ctx, key, value, nil)
}

// PutMeta writes one pair through the bulk endpoint, the only one of v0
// that takes metadata with the value.
func (s *Store) PutMeta(ctx context.Context, key string, value []byte, meta map[string]any) error {
	pair := &cloudflare.WorkersKVPair{Key: key, Value: string(value)}
	if meta != nil {
		pair.Metadata = meta
	}
	_, err := s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: s.ns,
		KVs:         []*cloudflare.WorkersKVPair{pair},
	})
	return err
}
