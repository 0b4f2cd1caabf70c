// Package kvstore is the backend's adapter for one Workers KV namespace,
// reached through the Cloudflare v4 REST API.
package kvstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

// Pair is one entry of a bulk write.
type Pair = cloudflare.WorkersKVPair

// ErrNotFound is returned by Get when the key does not exist.
var ErrNotFound = errors.New("kvstore: key not found")

// MaxBulk is the number of pairs the bulk endpoint accepts in one request.
const MaxBulk = 10_000

// Store is a handle on one namespace.
type Store struct {
	API *cloudflare.API
	RC  *cloudflare.ResourceContainer
	NS  string
}

// FromEnv builds a Store from CF_API_TOKEN, CF_ACCOUNT_ID and the named
// namespace variable.
func FromEnv(nsVar string) (*Store, error) {
	api, err := cloudflare.NewWithAPIToken(os.Getenv("CF_API_TOKEN"))
	if err != nil {
		return nil, fmt.Errorf("cloudflare client: %w", err)
	}
	ns := os.Getenv(nsVar)
	if ns == "" {
		return nil, fmt.Errorf("%s is not set", nsVar)
	}
	return &Store{API: api, RC: cloudflare.AccountIdentifier(os.Getenv("CF_ACCOUNT_ID")), NS: ns}, nil
}

// Get returns the value stored under key, or ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	raw, err := s.API.GetWorkersKV(ctx, s.RC, cloudflare.GetWorkersKVParams{NamespaceID: s.NS, Key: key})
	if err != nil {
		var nf *cloudflare.NotFoundError
		if errors.As(err, &nf) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kv get %q: %w", key, err)
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

// Put writes value under key with no expiration.
func (s *Store) Put(ctx context.Context, key string, value []byte) error {
	_, err := s.API.WriteWorkersKVEntry(ctx, s.RC, cloudflare.WriteWorkersKVEntryParams{
		NamespaceID: s.NS,
		Key:         key,
		Value:       value,
	})
	if err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// PutTTL writes value under key and lets it expire after ttl. KV does not
// accept lifetimes under a minute, so shorter ones are raised to a minute.
func (s *Store) PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.PutMany(ctx, []*Pair{{
		Key:           key,
		Value:         string(value),
		ExpirationTTL: int(ttl.Seconds()),
	}})
}

// PutExpiring writes value under key with an expiration given in seconds
// from now, exactly as the REST API takes it.
func (s *Store) PutExpiring(ctx context.Context, key string, value []byte, seconds int) error {
	return s.PutMany(ctx, []*Pair{{Key: key, Value: string(value), ExpirationTTL: seconds}})
}

// PutMany writes pairs through the bulk endpoint, MaxBulk at a time.
func (s *Store) PutMany(ctx context.Context, pairs []*Pair) error {
	var errs []error
	for chunk := range slices.Chunk(pairs, MaxBulk) {
		_, err := s.API.WriteWorkersKVEntries(ctx, s.RC, cloudflare.WriteWorkersKVEntriesParams{
			NamespaceID: s.NS,
			KVs:         chunk,
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("kv bulk write (%d pairs): %w", len(chunk), err))
		}
	}
	return errors.Join(errs...)
}

// Delete removes key.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.API.DeleteWorkersKVEntry(ctx, s.RC, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: s.NS, Key: key})
	if err != nil {
		return fmt.Errorf("kv delete %q: %w", key, err)
	}
	return nil
}

// Page returns one page of keys under prefix together with the cursor of
// the next page ("" when there is none).
func (s *Store) Page(ctx context.Context, prefix, cursor string, limit int) ([]cloudflare.StorageKey, string, error) {
	resp, err := s.API.ListWorkersKVKeys(ctx, s.RC, cloudflare.ListWorkersKVsParams{
		NamespaceID: s.NS,
		Prefix:      prefix,
		Cursor:      cursor,
		Limit:       limit,
	})
	if err != nil {
		return nil, "", fmt.Errorf("kv list %q: %w", prefix, err)
	}
	return resp.Result, resp.Cursor, nil
}
