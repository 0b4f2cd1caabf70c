// Package cfkv implements storage.Store over the Cloudflare REST API using
// cloudflare-go.
package cfkv

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/cloudflare/cloudflare-go"

	"example.com/wayfarer/internal/storage"
)

// Store is one namespace reached through the REST API.
type Store struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
}

var (
	_ storage.Store      = (*Store)(nil)
	_ storage.BulkWriter = (*Store)(nil)
)

// New returns a store for namespaceID in accountID.
func New(api *cloudflare.API, accountID, namespaceID string) *Store {
	return &Store{api: api, rc: cloudflare.AccountIdentifier(accountID), ns: namespaceID}
}

// API exposes the client and routing for calls the port does not model.
func (s *Store) API() (*cloudflare.API, *cloudflare.ResourceContainer, string) {
	return s.api, s.rc, s.ns
}

// IsNotFound reports whether err is the API's 404.
func IsNotFound(err error) bool {
	var nf *cloudflare.NotFoundError
	return errors.As(err, &nf)
}

// Get returns storage.ErrNotFound for a 404 and passes every other error on.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	b, err := s.api.GetWorkersKV(ctx, s.rc, cloudflare.GetWorkersKVParams{NamespaceID: s.ns, Key: key})
	if IsNotFound(err) {
		return nil, storage.ErrNotFound
	}
	return b, err
}

func toPair(key string, value []byte, o storage.PutOptions) *cloudflare.WorkersKVPair {
	p := &cloudflare.WorkersKVPair{Key: key, Value: base64.StdEncoding.EncodeToString(value), Base64: true}
	if o.TTL > 0 {
		p.ExpirationTTL = int(o.TTL.Seconds())
	} else if !o.ExpireAt.IsZero() {
		p.Expiration = int(o.ExpireAt.Unix())
	}
	if len(o.Metadata) > 0 {
		p.Metadata = o.Metadata
	}
	return p
}

// Put writes one value. Plain writes use the single-value endpoint; writes
// with expiry or metadata go through the bulk endpoint, which carries them.
func (s *Store) Put(ctx context.Context, key string, value []byte, opts ...storage.Option[storage.PutOptions]) error {
	o := storage.Apply(storage.PutOptions{}, opts...)
	if o.TTL == 0 && o.ExpireAt.IsZero() && len(o.Metadata) == 0 {
		_, err := s.api.WriteWorkersKVEntry(ctx, s.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: s.ns, Key: key, Value: value})
		return err
	}
	_, err := s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: s.ns, KVs: []*cloudflare.WorkersKVPair{toPair(key, value, o)},
	})
	return err
}

// PutMany writes pairs in chunks the bulk endpoint accepts.
func (s *Store) PutMany(ctx context.Context, pairs []storage.Pair) error {
	for start := 0; start < len(pairs); start += storage.MaxBulkWrite {
		chunk := pairs[start:min(start+storage.MaxBulkWrite, len(pairs))]
		kvs := make([]*cloudflare.WorkersKVPair, 0, len(chunk))
		for _, p := range chunk {
			kvs = append(kvs, toPair(p.Key, p.Value, storage.PutOptions{TTL: p.TTL}))
		}
		if _, err := s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: s.ns, KVs: kvs}); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.api.DeleteWorkersKVEntry(ctx, s.rc, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: s.ns, Key: key})
	return err
}

// List returns one page. The REST API wants a limit between 10 and 1000.
func (s *Store) List(ctx context.Context, q storage.ListQuery) (storage.Page, error) {
	limit := q.Limit
	if limit != 0 {
		limit = min(max(limit, 10), storage.MaxListLimit)
	}
	res, err := s.api.ListWorkersKVKeys(ctx, s.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: s.ns, Prefix: q.Prefix, Cursor: q.Cursor, Limit: limit,
	})
	if err != nil {
		return storage.Page{}, err
	}
	page := storage.Page{Cursor: res.Cursor, Complete: res.Cursor == ""}
	for _, k := range res.Result {
		ki := storage.KeyInfo{Name: k.Name, Expiration: int64(k.Expiration)}
		if md, ok := k.Metadata.(map[string]any); ok {
			ki.Metadata = map[string]string{}
			for mk, mv := range md {
				ki.Metadata[mk] = fmt.Sprint(mv)
			}
		}
		page.Keys = append(page.Keys, ki)
	}
	return page, nil
}
