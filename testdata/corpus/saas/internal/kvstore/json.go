package kvstore

import (
	"encoding/json"
	"fmt"
	"time"
)

// GetJSON decodes the JSON document stored at key. The boolean is false when
// the key does not exist, in which case the zero value is returned.
func GetJSON[T any](s *Store, key string) (T, bool, error) {
	var zero T
	raw, ok, err := s.Get(key)
	if err != nil || !ok {
		return zero, ok, err
	}
	var v T
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return zero, false, fmt.Errorf("kvstore: decode %q: %w", key, err)
	}
	return v, true, nil
}

// PutJSON encodes v and stores it at key; ttl <= 0 means no expiry.
func PutJSON[T any](s *Store, key string, v T, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("kvstore: encode %q: %w", key, err)
	}
	if ttl <= 0 {
		return s.Put(key, string(b))
	}
	return s.PutFor(key, string(b), ttl)
}

// Update loads the document at key (zero value when absent), lets fn change
// it and writes it back.
func Update[T any](s *Store, key string, fn func(*T) error) error {
	v, _, err := GetJSON[T](s, key)
	if err != nil {
		return err
	}
	if err := fn(&v); err != nil {
		return err
	}
	return PutJSON(s, key, v, 0) // EXPECT kvrace
}
