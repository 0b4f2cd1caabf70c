package kvstore

import (
	"context"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

// Page is one page of a key listing.
type Page struct {
	Keys   []cloudflare.StorageKey
	Cursor string
}

// Done reports whether there are no further pages.
func (p Page) Done() bool { return p.Cursor == "" }

// ListPage returns one page of keys under prefix, starting at cursor.
func (s *Store) ListPage(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	resp, err := s.api.ListWorkersKVKeys(ctx, s.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: s.Namespace(ctx),
		Prefix:      prefix,
		Cursor:      cursor,
		Limit:       limit,
	})
	if err != nil {
		return Page{}, err
	}
	return Page{Keys: resp.Result, Cursor: resp.ResultInfo.Cursor}, nil
}

// Lookup, Save and Remove let a Store back a generic repository.

// Lookup returns the value under key and whether it exists.
func (s *Store) Lookup(ctx context.Context, key string) ([]byte, bool, error) {
	raw, err := s.Get(ctx, key)
	if IsNotFound(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return raw, true, nil
}

// Save writes val, with an expiry when ttl is positive.
func (s *Store) Save(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	if ttl > 0 {
		return s.PutTTL(ctx, key, val, ttl)
	}
	return s.Put(ctx, key, val)
}

// Remove deletes key.
func (s *Store) Remove(ctx context.Context, key string) error { return s.Delete(ctx, key) }
