// Package kvstore is the dispatch service's adapter over the Workers KV REST
// API (cloudflare-go v0). It exposes small single-purpose interfaces so that
// domain code can ask for exactly the capability it needs.
package kvstore

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

// ErrNotFound is returned (wrapped) when a key does not exist in the namespace.
var ErrNotFound = errors.New("kvstore: key not found")

// Getter reads a single value.
type Getter interface {
	Get(ctx context.Context, key string) ([]byte, error)
}

// Putter writes a single value. A ttl of zero or less stores the value
// without an expiration.
type Putter interface {
	Put(ctx context.Context, key string, value []byte, ttl time.Duration) error
}

// Deleter removes a single key.
type Deleter interface {
	Delete(ctx context.Context, key string) error
}

// Lister returns one page of keys under a prefix.
type Lister interface {
	List(ctx context.Context, prefix, cursor string, limit int) (Page, error)
}

// GetPutter reads and writes.
type GetPutter interface {
	Getter
	Putter
}

// GetDeleter reads and removes.
type GetDeleter interface {
	Getter
	Deleter
}

// ListGetter lists keys and reads their values.
type ListGetter interface {
	Lister
	Getter
}

// Namespace is the full capability set.
type Namespace interface {
	Getter
	Putter
	Deleter
	Lister
}

// Key is one entry of a listing.
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

// Store implements Namespace over one KV namespace.
type Store struct {
	api  *cloudflare.API
	rc   *cloudflare.ResourceContainer
	nsID string
}

// New returns a Store for namespaceID in accountID.
func New(api *cloudflare.API, accountID, namespaceID string) *Store {
	return &Store{api: api, rc: cloudflare.AccountIdentifier(accountID), nsID: namespaceID}
}

// API exposes the underlying client for callers that need bulk operations.
func (s *Store) API() (*cloudflare.API, *cloudflare.ResourceContainer, string) {
	return s.api, s.rc, s.nsID
}

// Get returns the value stored under key, or an error wrapping ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	raw, err := s.api.GetWorkersKV(ctx, s.rc, cloudflare.GetWorkersKVParams{NamespaceID: s.nsID, Key: key})
	if err != nil {
		var nf *cloudflare.NotFoundError
		if errors.As(err, &nf) {
			return nil, fmt.Errorf("get %q: %w", key, ErrNotFound)
		}
		return nil, fmt.Errorf("get %q: %w", key, err)
	}
	return raw, nil
}

// Lookup is Get with the miss folded into a boolean.
func (s *Store) Lookup(ctx context.Context, key string) ([]byte, bool, error) {
	raw, err := s.Get(ctx, key)
	switch {
	case errors.Is(err, ErrNotFound):
		return nil, false, nil
	case err != nil:
		return nil, false, err
	}
	return raw, true, nil
}

// Put writes value under key. The single-value endpoint of the v0 client has
// no expiration parameters, so expiring writes go through the bulk endpoint
// with one pair.
func (s *Store) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl <= 0 {
		_, err := s.api.WriteWorkersKVEntry(ctx, s.rc, cloudflare.WriteWorkersKVEntryParams{
			NamespaceID: s.nsID,
			Key:         key,
			Value:       value,
		})
		if err != nil {
			return fmt.Errorf("put %q: %w", key, err)
		}
		return nil
	}
	_, err := s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: s.nsID,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:           key,
			Value:         base64.StdEncoding.EncodeToString(value),
			Base64:        true,
			ExpirationTTL: int(ttl.Seconds()),
		}},
	})
	if err != nil {
		return fmt.Errorf("put %q: %w", key, err)
	}
	return nil
}

// PutLease writes value with a lifetime of at least one minute.
func (s *Store) PutLease(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.Put(ctx, key, value, ttl)
}

// PutUntil writes value with an absolute expiration.
func (s *Store) PutUntil(ctx context.Context, key string, value []byte, at time.Time) error {
	_, err := s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: s.nsID,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:        key,
			Value:      string(value),
			Expiration: int(at.Unix()),
		}},
	})
	if err != nil {
		return fmt.Errorf("put %q until %s: %w", key, at.Format(time.RFC3339), err)
	}
	return nil
}

// PutMany writes pairs with the bulk endpoint.
func (s *Store) PutMany(ctx context.Context, pairs []*cloudflare.WorkersKVPair) error {
	if len(pairs) == 0 {
		return nil
	}
	_, err := s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: s.nsID, KVs: pairs})
	if err != nil {
		return fmt.Errorf("bulk put %d pairs: %w", len(pairs), err)
	}
	return nil
}

// Delete removes key. Deleting a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.api.DeleteWorkersKVEntry(ctx, s.rc, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: s.nsID, Key: key})
	if err != nil {
		return fmt.Errorf("delete %q: %w", key, err)
	}
	return nil
}

// DeleteMany removes keys with the bulk endpoint.
func (s *Store) DeleteMany(ctx context.Context, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	_, err := s.api.DeleteWorkersKVEntries(ctx, s.rc, cloudflare.DeleteWorkersKVEntriesParams{NamespaceID: s.nsID, Keys: keys})
	return err
}

// List returns one page of keys under prefix starting at cursor.
func (s *Store) List(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	resp, err := s.api.ListWorkersKVKeys(ctx, s.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: s.nsID,
		Prefix:      prefix,
		Cursor:      cursor,
		Limit:       limit,
	})
	if err != nil {
		return Page{}, fmt.Errorf("list %q: %w", prefix, err)
	}
	page := Page{Cursor: resp.ResultInfo.Cursor, Keys: make([]Key, 0, len(resp.Result))}
	for _, k := range resp.Result {
		page.Keys = append(page.Keys, Key{Name: k.Name, Expiration: k.Expiration, Metadata: k.Metadata})
	}
	return page, nil
}

// Load decodes the JSON value under key into dst.
func Load(ctx context.Context, g Getter, key string, dst any) error {
	raw, err := g.Get(ctx, key)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return fmt.Errorf("decode %q: %w", key, err)
	}
	return nil
}

// Save encodes v as JSON and writes it under key.
func Save(ctx context.Context, p Putter, key string, v any, ttl time.Duration) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %q: %w", key, err)
	}
	return p.Put(ctx, key, raw, ttl)
}

// Mutate applies fn to the current value under key (nil when missing) and
// writes the result back.
func Mutate(ctx context.Context, ns GetPutter, key string, ttl time.Duration, fn func(cur []byte) ([]byte, error)) error {
	cur, err := ns.Get(ctx, key)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	next, err := fn(cur)
	if err != nil {
		return err
	}
	return ns.Put(ctx, key, next, ttl) // EXPECT kvrace
}
