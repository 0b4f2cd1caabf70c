package kvstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Record is a value that knows where it is stored and for how long.
type Record interface {
	Key() string
	TTL() time.Duration
}

// Save stores v as JSON under v.Key() in scope s for v.TTL().
func Save[T Record](ctx context.Context, s Scope, v T) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("kvstore: encode %s: %w", v.Key(), err)
	}
	return s.Put(ctx, v.Key(), b, v.TTL())
}

// SaveAll stores every record of vs in one bulk write.
func SaveAll[T Record](ctx context.Context, s Scope, vs []T) error {
	entries := make([]Entry, 0, len(vs))
	for _, v := range vs {
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("kvstore: encode %s: %w", v.Key(), err)
		}
		entries = append(entries, Entry{Name: v.Key(), Value: b, TTL: v.TTL()})
	}
	return s.BulkPut(ctx, entries)
}

// Load decodes the JSON value under key into a T.
func Load[T any](ctx context.Context, s Scope, key string) (T, error) {
	var v T
	b, err := s.Get(ctx, key)
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return v, fmt.Errorf("kvstore: decode %s: %w", s.Key(key), err)
	}
	return v, nil
}
