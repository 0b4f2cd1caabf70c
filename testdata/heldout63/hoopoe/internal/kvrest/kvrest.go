// Package kvrest is the backend's adapter over the Cloudflare REST API for
// Workers KV. The edge Worker reads the same namespaces through its binding;
// the backend is the main writer.
package kvrest

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

// ErrNotFound is returned by Get when the key does not exist.
var ErrNotFound = errors.New("kvrest: key not found")

// Store addresses one KV namespace in one account.
type Store struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
}

// New returns a Store for namespaceID.
func New(api *cloudflare.API, accountID, namespaceID string) *Store {
	return &Store{api: api, rc: cloudflare.AccountIdentifier(accountID), ns: namespaceID}
}

// Namespace returns the namespace ID the store writes to.
func (s *Store) Namespace() string { return s.ns }

// API exposes the underlying client for callers that need bulk endpoints.
func (s *Store) API() (*cloudflare.API, *cloudflare.ResourceContainer) { return s.api, s.rc }

// Get reads one value. A missing key is reported as ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	raw, err := s.api.GetWorkersKV(ctx, s.rc, cloudflare.GetWorkersKVParams{NamespaceID: s.ns, Key: key})
	if err != nil {
		var nf *cloudflare.NotFoundError
		if errors.As(err, &nf) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kv get %q: %w", key, err)
	}
	return raw, nil
}

// Put writes a value with no expiration.
func (s *Store) Put(ctx context.Context, key string, value []byte) error {
	_, err := s.api.WriteWorkersKVEntry(ctx, s.rc, cloudflare.WriteWorkersKVEntryParams{
		NamespaceID: s.ns,
		Key:         key,
		Value:       value,
	})
	if err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// PutTTL writes a value that expires after ttl. The single-value endpoint of
// this SDK version takes no expiration, so this goes through the bulk endpoint.
func (s *Store) PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	pair := &cloudflare.WorkersKVPair{
		Key:           key,
		Value:         string(value),
		ExpirationTTL: int(ttl.Seconds()),
	}
	return s.PutMany(ctx, []*cloudflare.WorkersKVPair{pair})
}

// Cache writes a read-through cache entry. Entries live at least a minute.
func (s *Store) Cache(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.PutMany(ctx, []*cloudflare.WorkersKVPair{{
		Key:           key,
		Value:         string(value),
		ExpirationTTL: int(ttl / time.Second),
	}})
}

// PutUntil writes a value that expires at the given instant.
func (s *Store) PutUntil(ctx context.Context, key string, value []byte, at time.Time) error {
	return s.PutMany(ctx, []*cloudflare.WorkersKVPair{{
		Key:        key,
		Value:      string(value),
		Expiration: int(at.Unix()),
	}})
}

// PutMany writes pairs with one bulk request.
func (s *Store) PutMany(ctx context.Context, pairs []*cloudflare.WorkersKVPair) error {
	if len(pairs) == 0 {
		return nil
	}
	_, err := s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: s.ns,
		KVs:         pairs,
	})
	if err != nil {
		return fmt.Errorf("kv bulk put (%d pairs): %w", len(pairs), err)
	}
	return nil
}

// Delete removes one key.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.api.DeleteWorkersKVEntry(ctx, s.rc, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: s.ns, Key: key})
	if err != nil {
		var nf *cloudflare.NotFoundError
		if errors.As(err, &nf) {
			return nil
		}
		return fmt.Errorf("kv delete %q: %w", key, err)
	}
	return nil
}

// Page returns one page of keys under prefix and the cursor of the next page
// ("" when there is none).
func (s *Store) Page(ctx context.Context, prefix, cursor string, limit int) ([]cloudflare.StorageKey, string, error) {
	resp, err := s.api.ListWorkersKVKeys(ctx, s.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: s.ns,
		Prefix:      prefix,
		Cursor:      cursor,
		Limit:       limit,
	})
	if err != nil {
		return nil, "", fmt.Errorf("kv list %q: %w", prefix, err)
	}
	return resp.Result, resp.Cursor, nil
}

// Keys returns the names of all keys under prefix.
func (s *Store) Keys(ctx context.Context, prefix string) ([]string, error) {
	var names []string
	cursor := ""
	for {
		resp, err := s.api.ListWorkersKVKeys(ctx, s.rc, cloudflare.ListWorkersKVsParams{ // EXPECT kvlist
			NamespaceID: s.ns,
			Prefix:      prefix,
			Cursor:      cursor,
		})
		if err != nil {
			return nil, fmt.Errorf("kv list %q: %w", prefix, err)
		}
		for _, k := range resp.Result {
			names = append(names, k.Name)
		}
		if resp.Cursor == "" {
			return names, nil
		}
		cursor = resp.Cursor
	}
}

// Add adds delta to the integer stored at key and returns the new total.
// A missing key counts as zero.
func (s *Store) Add(ctx context.Context, key string, delta int) (int, error) {
	cur := 0
	raw, err := s.Get(ctx, key)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return 0, err
	default:
		if cur, err = strconv.Atoi(string(raw)); err != nil {
			return 0, fmt.Errorf("kv add %q: %w", key, err)
		}
	}
	next := cur + delta
	if err := s.Put(ctx, key, []byte(strconv.Itoa(next))); err != nil { // EXPECT kvcounter|kvrace
		return 0, err
	}
	return next, nil
}
