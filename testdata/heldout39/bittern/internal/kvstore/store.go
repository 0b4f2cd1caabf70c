// Package kvstore adapts the Cloudflare REST API (cloudflare-go v0) to the
// small interfaces the fleet services depend on.
package kvstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

// Reader reads one value. A missing key yields a *NotFoundError.
type Reader interface {
	Get(ctx context.Context, key string) ([]byte, error)
}

// Writer writes one value; a ttl of zero or less means no expiration.
type Writer interface {
	Put(ctx context.Context, key string, value []byte, ttl time.Duration) error
}

// Deleter removes one key.
type Deleter interface {
	Delete(ctx context.Context, key string) error
}

// Lister returns one page of keys.
type Lister interface {
	ListPage(ctx context.Context, q Query) (Page, error)
}

// Namespace is everything a service needs from one KV namespace.
type Namespace interface {
	Reader
	Writer
	Deleter
	Lister
}

// BulkWriter is implemented by namespaces that can write many pairs in one
// request.
type BulkWriter interface {
	PutAll(ctx context.Context, ttl time.Duration, items ...Item) error
}

// BulkDeleter is implemented by namespaces that can delete many keys in one
// request.
type BulkDeleter interface {
	DeleteAll(ctx context.Context, keys ...string) error
}

// MetaWriter is implemented by namespaces that can attach metadata to a key,
// which then comes back from ListPage without a read.
type MetaWriter interface {
	PutMeta(ctx context.Context, key string, value []byte, meta map[string]any, ttl time.Duration) error
}

// Item is one pair of a bulk write.
type Item struct {
	Key      string
	Value    []byte
	Metadata map[string]any
}

// Query selects keys to list.
type Query struct {
	Prefix, Cursor string
	Limit          int
}

// Key is one listed key.
type Key struct {
	Name       string
	Expiration int
	Metadata   any
}

// Page is one page of a listing. Cursor is empty on the last page.
type Page struct {
	Keys   []Key
	Cursor string
}

// NotFoundError reports a key that does not exist.
type NotFoundError struct{ Namespace, Key string }

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("kv: %s/%s not found", e.Namespace, e.Key)
}

// OpError describes a failed KV request.
type OpError struct {
	Op, Namespace, Key string
	Err                error
}

func (e *OpError) Error() string {
	return fmt.Sprintf("kv %s %s/%s: %v", e.Op, e.Namespace, e.Key, e.Err)
}

func (e *OpError) Unwrap() error { return e.Err }

// IsNotFound reports whether err, or an error it wraps, is a *NotFoundError.
func IsNotFound(err error) bool {
	var nf *NotFoundError
	return errors.As(err, &nf)
}

// maxBulk is the largest number of pairs the bulk endpoints accept.
const maxBulk = 10_000

// Store is one KV namespace reached over the REST API.
type Store struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
}

// New returns a Store for namespaceID in the given account.
func New(api *cloudflare.API, accountID, namespaceID string) *Store {
	return &Store{api: api, rc: cloudflare.AccountIdentifier(accountID), ns: namespaceID}
}

// NamespaceID returns the namespace the store writes to.
func (s *Store) NamespaceID() string { return s.ns }

// Get implements Reader.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	v, err := s.api.GetWorkersKV(ctx, s.rc, cloudflare.GetWorkersKVParams{NamespaceID: s.ns, Key: key})
	if err != nil {
		var nf *cloudflare.NotFoundError
		if errors.As(err, &nf) {
			return nil, &NotFoundError{Namespace: s.ns, Key: key}
		}
		return nil, &OpError{Op: "get", Namespace: s.ns, Key: key, Err: err}
	}
	return v, nil
}

// Put implements Writer. The single-value endpoint of the v0 client cannot
// carry an expiration, so expiring values go through the bulk endpoint.
func (s *Store) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl <= 0 {
		_, err := s.api.WriteWorkersKVEntry(ctx, s.rc, cloudflare.WriteWorkersKVEntryParams{
			NamespaceID: s.ns,
			Key:         key,
			Value:       value,
		})
		if err != nil {
			return &OpError{Op: "put", Namespace: s.ns, Key: key, Err: err}
		}
		return nil
	}
	return s.PutMeta(ctx, key, value, nil, ttl)
}

// PutMeta implements MetaWriter.
func (s *Store) PutMeta(ctx context.Context, key string, value []byte, meta map[string]any, ttl time.Duration) error {
	pair := &cloudflare.WorkersKVPair{Key: key, Value: string(value)}
	if meta != nil {
		pair.Metadata = meta
	}
	if ttl > 0 {
		pair.ExpirationTTL = int(ttl.Seconds())
	}
	_, err := s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: s.ns,
		KVs:         []*cloudflare.WorkersKVPair{pair},
	})
	if err != nil {
		return &OpError{Op: "put", Namespace: s.ns, Key: key, Err: err}
	}
	return nil
}

// PutAll implements BulkWriter. Items are sent in requests of at most
// 10,000 pairs.
func (s *Store) PutAll(ctx context.Context, ttl time.Duration, items ...Item) error {
	pairs := make([]*cloudflare.WorkersKVPair, 0, len(items))
	for _, it := range items {
		p := &cloudflare.WorkersKVPair{Key: it.Key, Value: string(it.Value)}
		if it.Metadata != nil {
			p.Metadata = it.Metadata
		}
		if ttl > 0 {
			p.ExpirationTTL = int(ttl.Seconds())
		}
		pairs = append(pairs, p)
	}
	var errs []error
	for start := 0; start < len(pairs); start += maxBulk {
		end := min(start+maxBulk, len(pairs))
		_, err := s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{
			NamespaceID: s.ns,
			KVs:         pairs[start:end],
		})
		if err != nil {
			errs = append(errs, &OpError{Op: fmt.Sprintf("bulk put [%d:%d]", start, end), Namespace: s.ns, Err: err})
		}
	}
	return errors.Join(errs...)
}

// Delete implements Deleter.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.api.DeleteWorkersKVEntry(ctx, s.rc, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: s.ns, Key: key})
	if err != nil {
		return &OpError{Op: "delete", Namespace: s.ns, Key: key, Err: err}
	}
	return nil
}

// DeleteAll implements BulkDeleter.
func (s *Store) DeleteAll(ctx context.Context, keys ...string) error {
	var errs []error
	for start := 0; start < len(keys); start += maxBulk {
		end := min(start+maxBulk, len(keys))
		_, err := s.api.DeleteWorkersKVEntries(ctx, s.rc, cloudflare.DeleteWorkersKVEntriesParams{
			NamespaceID: s.ns,
			Keys:        keys[start:end],
		})
		if err != nil {
			errs = append(errs, &OpError{Op: "bulk delete", Namespace: s.ns, Err: err})
		}
	}
	return errors.Join(errs...)
}

// ListPage implements Lister. A zero Limit asks for the API default of
// 1,000 keys.
func (s *Store) ListPage(ctx context.Context, q Query) (Page, error) {
	resp, err := s.api.ListWorkersKVKeys(ctx, s.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: s.ns,
		Prefix:      q.Prefix,
		Cursor:      q.Cursor,
		Limit:       q.Limit,
	})
	if err != nil {
		return Page{}, &OpError{Op: "list", Namespace: s.ns, Key: q.Prefix, Err: err}
	}
	page := Page{Keys: make([]Key, 0, len(resp.Result)), Cursor: resp.ResultInfo.Cursor}
	for _, k := range resp.Result {
		page.Keys = append(page.Keys, Key{Name: k.Name, Expiration: k.Expiration, Metadata: k.Metadata})
	}
	return page, nil
}
