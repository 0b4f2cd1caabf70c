// Package vhosts is a storage adapter whose Values reads each key it is
// given, one get at a time, and whose Keys follows the cursor to the end.
package vhosts

import (
	"context"

	"github.com/cloudflare/cloudflare-go"
)

// Store keeps virtual hosts' configuration fragments under "srv:" keys.
type Store struct {
	API *cloudflare.API
	RC  *cloudflare.ResourceContainer
	NS  string
}

// Get reads one key.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	return s.API.GetWorkersKV(ctx, s.RC, cloudflare.GetWorkersKVParams{NamespaceID: s.NS, Key: key})
}

// Values reads each of keys in turn.
func (s *Store) Values(ctx context.Context, keys []string) ([][]byte, error) {
	values := make([][]byte, 0, len(keys))
	for _, key := range keys {
		v, err := s.Get(ctx, key)
		if err != nil {
			return nil, err
		}
		values = append(values, v)
	}
	return values, nil
}

// First reads the first of keys only.
func (s *Store) First(ctx context.Context, keys []string) ([]byte, error) {
	return s.Get(ctx, keys[0])
}

// Keys lists the keys under prefix, up to max pages.
func (s *Store) Keys(ctx context.Context, prefix string, max int) ([]string, error) {
	var keys []string
	cursor := ""
	for page := 0; page < max; page++ {
		resp, err := s.API.ListWorkersKVKeys(ctx, s.RC, cloudflare.ListWorkersKVsParams{NamespaceID: s.NS, Prefix: prefix, Cursor: cursor, Limit: 1000})
		if err != nil {
			return nil, err
		}
		for _, k := range resp.Result {
			keys = append(keys, k.Name)
		}
		if !resp.HasMorePages() {
			break
		}
		cursor = resp.Cursor
	}
	return keys, nil
}
