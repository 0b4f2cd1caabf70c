// Package uow collects the KV changes made while handling one request or
// one job and writes them together at the end.
package uow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"github.com/ledgerline/nightjar/internal/kvstore"
)

type pendingPut struct {
	value []byte
	ttl   time.Duration
}

// UnitOfWork records puts, deletes and list appends. Nothing is written
// until Commit. A later Put of the same key replaces an earlier one.
type UnitOfWork struct {
	kv *kvstore.Logged

	mu      sync.Mutex
	puts    map[string]pendingPut
	deletes []string
	appends map[string][]json.RawMessage
	done    bool
}

// New starts a unit of work against kv.
func New(kv *kvstore.Logged) *UnitOfWork {
	return &UnitOfWork{
		kv:      kv,
		puts:    make(map[string]pendingPut),
		appends: make(map[string][]json.RawMessage),
	}
}

// Put records a write without expiry.
func (u *UnitOfWork) Put(key string, value []byte) {
	u.PutTTL(key, value, 0)
}

// PutTTL records a write that expires after ttl.
func (u *UnitOfWork) PutTTL(key string, value []byte, ttl time.Duration) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.puts[key] = pendingPut{value: value, ttl: ttl}
}

// PutJSON records the JSON encoding of v.
func (u *UnitOfWork) PutJSON(key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("uow: encode %s: %w", key, err)
	}
	u.Put(key, b)
	return nil
}

// Delete records a delete. A delete cancels a pending put of the same key.
func (u *UnitOfWork) Delete(key string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	delete(u.puts, key)
	u.deletes = append(u.deletes, key)
}

// Append records an item to add to the JSON array stored under key.
func (u *UnitOfWork) Append(key string, item any) error {
	b, err := json.Marshal(item)
	if err != nil {
		return err
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	u.appends[key] = append(u.appends[key], b)
	return nil
}

// Commit writes the recorded changes: plain puts in one bulk request, then
// the list appends, then the deletes.
func (u *UnitOfWork) Commit(ctx context.Context) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.done {
		return errors.New("uow: already committed")
	}

	if len(u.puts) > 0 {
		pairs := make([]*cloudflare.WorkersKVPair, 0, len(u.puts))
		for key, p := range u.puts {
			pair := &cloudflare.WorkersKVPair{Key: key, Value: string(p.value)}
			if p.ttl > 0 {
				pair.ExpirationTTL = int(p.ttl.Seconds())
			}
			pairs = append(pairs, pair)
		}
		if err := u.kv.PutMany(ctx, pairs); err != nil {
			return fmt.Errorf("uow: puts: %w", err)
		}
	}

	for key, items := range u.appends {
		var list []json.RawMessage
		raw, err := u.kv.Get(ctx, key)
		switch {
		case errors.Is(err, kvstore.ErrNotFound):
		case err != nil:
			return fmt.Errorf("uow: read %s: %w", key, err)
		default:
			if err := json.Unmarshal(raw, &list); err != nil {
				return fmt.Errorf("uow: decode %s: %w", key, err)
			}
		}
		list = append(list, items...)
		b, err := json.Marshal(list)
		if err != nil {
			return err
		}
		if err := u.kv.Put(ctx, key, b, 0); err != nil { // EXPECT kvrace
			return fmt.Errorf("uow: append %s: %w", key, err)
		}
	}

	if err := u.kv.DeleteMany(ctx, u.deletes); err != nil {
		return fmt.Errorf("uow: deletes: %w", err)
	}
	u.done = true
	return nil
}
