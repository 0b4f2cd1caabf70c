package kvstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// SaveAll writes every item under its own key with its own lifetime, in
// as few bulk requests as possible.
func SaveAll[T interface {
	Key() string
	Lifetime() time.Duration
}](ctx context.Context, s *Store, items []T) error {
	entries := make([]Entry, 0, len(items))
	for _, it := range items {
		raw, err := json.Marshal(it)
		if err != nil {
			return fmt.Errorf("save %q: %w", it.Key(), err)
		}
		entries = append(entries, Entry{Key: it.Key(), Value: raw, TTL: it.Lifetime()})
	}
	return s.BulkPut(ctx, entries)
}

// LoadAll reads the given keys into fresh values of T, skipping missing ones.
func LoadAll[T any](ctx context.Context, s *Store, keys []string) (map[string]T, error) {
	out := make(map[string]T, len(keys))
	for _, k := range keys {
		var v T
		found, err := s.GetJSON(ctx, k, &v)
		if err != nil {
			return nil, err
		}
		if found {
			out[k] = v
		}
	}
	return out, nil
}
