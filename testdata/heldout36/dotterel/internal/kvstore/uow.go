package kvstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"
)

// ErrCommitted is returned when a unit of work is used after Commit.
var ErrCommitted = errors.New("kvstore: unit of work already committed")

// UnitOfWork buffers writes and deletes made while serving one request and
// sends them in bulk on Commit.
type UnitOfWork struct {
	s    *Store
	mu   sync.Mutex
	puts map[string]Entry
	dels map[string]struct{}
	done bool
}

// Begin opens a unit of work on s.
func (s *Store) Begin() *UnitOfWork {
	return &UnitOfWork{s: s, puts: map[string]Entry{}, dels: map[string]struct{}{}}
}

// Put buffers a write. A later Put of the same key replaces it.
func (u *UnitOfWork) Put(key string, value []byte, ttl time.Duration) {
	u.mu.Lock()
	defer u.mu.Unlock()
	delete(u.dels, key)
	u.puts[key] = Entry{Key: key, Value: value, TTL: ttl}
}

// PutJSON buffers the JSON encoding of v.
func (u *UnitOfWork) PutJSON(key string, v any, ttl time.Duration) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("uow encode %q: %w", key, err)
	}
	u.Put(key, raw, ttl)
	return nil
}

// Delete buffers a delete.
func (u *UnitOfWork) Delete(key string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	delete(u.puts, key)
	u.dels[key] = struct{}{}
}

// Commit sends the buffered writes, then the deletes. It is safe to call
// more than once; later calls return ErrCommitted.
func (u *UnitOfWork) Commit(ctx context.Context) error {
	u.mu.Lock()
	if u.done {
		u.mu.Unlock()
		return ErrCommitted
	}
	u.done = true
	entries := make([]Entry, 0, len(u.puts))
	for _, e := range u.puts {
		entries = append(entries, e)
	}
	dels := make([]string, 0, len(u.dels))
	for k := range u.dels {
		dels = append(dels, k)
	}
	u.mu.Unlock()

	if len(entries) > 0 {
		if err := u.s.BulkPut(ctx, entries); err != nil {
			return fmt.Errorf("uow commit: %w", err)
		}
	}
	if len(dels) > 0 {
		if err := u.s.BulkDelete(ctx, dels); err != nil {
			return fmt.Errorf("uow commit: %w", err)
		}
	}
	return nil
}
