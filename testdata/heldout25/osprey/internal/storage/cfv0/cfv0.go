// Package cfv0 adapts the cloudflare-go v0 Workers KV API to storage.Raw.
package cfv0

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"example.com/osprey/internal/storage"
)

type kvStore struct {
	api         *cloudflare.API
	rc          *cloudflare.ResourceContainer
	namespaceID string
	keyPrefix   string
	timeout     time.Duration
}

var _ storage.Raw = (*kvStore)(nil)

// Option configures the adapter.
type Option func(*kvStore)

// WithKeyPrefix namespaces every key under p (for shared namespaces).
func WithKeyPrefix(p string) Option { return func(s *kvStore) { s.keyPrefix = p } }

// WithTimeout bounds every request.
func WithTimeout(d time.Duration) Option { return func(s *kvStore) { s.timeout = d } }

// New returns a storage.Raw backed by the namespace namespaceID of accountID.
func New(api *cloudflare.API, accountID, namespaceID string, opts ...Option) storage.Raw {
	s := &kvStore{
		api:         api,
		rc:          cloudflare.AccountIdentifier(accountID),
		namespaceID: namespaceID,
		timeout:     10 * time.Second,
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

func (s *kvStore) key(k string) string { return s.keyPrefix + k }

func (s *kvStore) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if s.timeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, s.timeout)
}

// IsNotFound reports whether err is the API's 404 for a missing key.
func IsNotFound(err error) bool {
	var nf *cloudflare.NotFoundError
	if errors.As(err, &nf) {
		return true
	}
	var nfv cloudflare.NotFoundError
	return errors.As(err, &nfv)
}

func (s *kvStore) Get(ctx context.Context, key string) ([]byte, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	b, err := s.api.GetWorkersKV(ctx, s.rc, cloudflare.GetWorkersKVParams{
		NamespaceID: s.namespaceID,
		Key:         s.key(key),
	})
	if IsNotFound(err) {
		return nil, storage.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("kv get %q: %w", key, err)
	}
	return b, nil
}

func (s *kvStore) Put(ctx context.Context, key string, value []byte, opts ...storage.PutOption) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	o := storage.Apply(opts)
	if o.TTL == 0 && o.ExpireAt.IsZero() && o.Metadata == nil {
		_, err := s.api.WriteWorkersKVEntry(ctx, s.rc, cloudflare.WriteWorkersKVEntryParams{
			NamespaceID: s.namespaceID,
			Key:         s.key(key),
			Value:       value,
		})
		return err
	}
	pair := &cloudflare.WorkersKVPair{
		Key:      s.key(key),
		Value:    string(value),
		Metadata: o.Metadata,
	}
	if o.TTL > 0 {
		pair.ExpirationTTL = int(o.TTL / time.Second)
	}
	if !o.ExpireAt.IsZero() {
		pair.Expiration = int(o.ExpireAt.Unix())
	}
	_, err := s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: s.namespaceID,
		KVs:         []*cloudflare.WorkersKVPair{pair},
	})
	return err
}

func (s *kvStore) Delete(ctx context.Context, key string) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	_, err := s.api.DeleteWorkersKVEntry(ctx, s.rc, cloudflare.DeleteWorkersKVEntryParams{
		NamespaceID: s.namespaceID,
		Key:         s.key(key),
	})
	if IsNotFound(err) {
		return nil
	}
	return err
}

func (s *kvStore) List(ctx context.Context, prefix, cursor string, limit int) (storage.Page, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	resp, err := s.api.ListWorkersKVKeys(ctx, s.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: s.namespaceID,
		Prefix:      s.key(prefix),
		Cursor:      cursor,
		Limit:       limit,
	})
	if err != nil {
		return storage.Page{}, err
	}
	page := storage.Page{Cursor: resp.Cursor, Complete: resp.Cursor == ""}
	for _, k := range resp.Result {
		ki := storage.KeyInfo{Name: k.Name[len(s.keyPrefix):], Expiration: int64(k.Expiration)}
		if k.Metadata != nil {
			if b, err := json.Marshal(k.Metadata); err == nil {
				ki.Metadata = b
			}
		}
		page.Keys = append(page.Keys, ki)
	}
	return page, nil
}
