// Package kvstore is the fleet backend's thin adapter over the Workers KV REST
// API (cloudflare-go v0). Namespaces, keys and TTLs are chosen by the callers.
package kvstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

// SaveHook runs before every write, in registration order. Returning an
// error aborts the write.
type SaveHook func(ctx context.Context, ns, key string, value []byte) error

// DeleteHook runs after every successful delete, in registration order.
type DeleteHook func(ctx context.Context, ns, key string)

// Store wraps a cloudflare.API bound to one account.
type Store struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer

	beforeSave  []SaveHook
	afterDelete []DeleteHook
}

// New returns a Store for accountID.
func New(api *cloudflare.API, accountID string) *Store {
	return &Store{api: api, rc: cloudflare.AccountIdentifier(accountID)}
}

// API exposes the underlying client for jobs that need calls the adapter
// does not wrap.
func (s *Store) API() *cloudflare.API { return s.api }

// Account returns the account resource container.
func (s *Store) Account() *cloudflare.ResourceContainer { return s.rc }

// BeforeSave registers a hook run before each write.
func (s *Store) BeforeSave(h SaveHook) { s.beforeSave = append(s.beforeSave, h) }

// AfterDelete registers a hook run after each delete.
func (s *Store) AfterDelete(h DeleteHook) { s.afterDelete = append(s.afterDelete, h) }

// IsNotFound reports whether err is the API's 404 for a missing key.
func IsNotFound(err error) bool {
	var nf *cloudflare.NotFoundError
	return errors.As(err, &nf)
}

// Get returns the raw value stored under key.
func (s *Store) Get(ctx context.Context, ns, key string) ([]byte, error) {
	return s.api.GetWorkersKV(ctx, s.rc, cloudflare.GetWorkersKVParams{NamespaceID: ns, Key: key})
}

// GetJSON decodes the value stored under key into v.
func (s *Store) GetJSON(ctx context.Context, ns, key string, v any) error {
	raw, err := s.Get(ctx, ns, key)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

func (s *Store) runBeforeSave(ctx context.Context, ns, key string, value []byte) error {
	for _, h := range s.beforeSave {
		if err := h(ctx, ns, key, value); err != nil {
			return fmt.Errorf("kvstore: before save %q: %w", key, err)
		}
	}
	return nil
}

// Put writes value under key. A zero ttl stores the value without expiry.
func (s *Store) Put(ctx context.Context, ns, key string, value []byte, ttl time.Duration) error {
	return s.PutWithMeta(ctx, ns, key, value, ttl, nil)
}

// PutWithMeta writes value with metadata attached. Metadata is returned by
// list calls, so small summaries can be read without a get per key.
func (s *Store) PutWithMeta(ctx context.Context, ns, key string, value []byte, ttl time.Duration, meta any) error {
	if err := s.runBeforeSave(ctx, ns, key, value); err != nil {
		return err
	}
	pair := &cloudflare.WorkersKVPair{Key: key, Value: string(value), Metadata: meta}
	if ttl > 0 {
		pair.ExpirationTTL = int(ttl.Seconds())
	}
	_, err := s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: ns,
		KVs:         []*cloudflare.WorkersKVPair{pair},
	})
	return err
}

// PutCached writes a cache entry. Entries live at least one minute, the
// shortest expiry KV accepts.
func (s *Store) PutCached(ctx context.Context, ns, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.Put(ctx, ns, key, value, ttl)
}

// PutUntil writes value so that it expires at the given instant.
func (s *Store) PutUntil(ctx context.Context, ns, key string, value []byte, at time.Time, meta any) error {
	if err := s.runBeforeSave(ctx, ns, key, value); err != nil {
		return err
	}
	_, err := s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: ns,
		KVs:         []*cloudflare.WorkersKVPair{{Key: key, Value: string(value), Expiration: int(at.Unix()), Metadata: meta}},
	})
	return err
}

// PutForever writes value with no expiry through the single-value endpoint.
func (s *Store) PutForever(ctx context.Context, ns, key string, value []byte) error {
	if err := s.runBeforeSave(ctx, ns, key, value); err != nil {
		return err
	}
	_, err := s.api.WriteWorkersKVEntry(ctx, s.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: ns, Key: key, Value: value})
	return err
}

// PutJSON encodes v and writes it under key.
func (s *Store) PutJSON(ctx context.Context, ns, key string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("kvstore: encode %q: %w", key, err)
	}
	return s.Put(ctx, ns, key, b, ttl)
}

// UpdateJSON loads the object stored under key, lets fn change it and writes
// it back with the given ttl.
func (s *Store) UpdateJSON(ctx context.Context, ns, key string, ttl time.Duration, fn func(map[string]any) error) error {
	raw, err := s.Get(ctx, ns, key)
	if err != nil {
		return err
	}
	obj := map[string]any{}
	if err := json.Unmarshal(raw, &obj); err != nil {
		return fmt.Errorf("kvstore: decode %q: %w", key, err)
	}
	if err := fn(obj); err != nil {
		return err
	}
	b, err := json.Marshal(obj)
	if err != nil {
		return err
	}
	return s.Put(ctx, ns, key, b, ttl) // EXPECT kvrace
}

// Delete removes key and then runs the delete hooks.
func (s *Store) Delete(ctx context.Context, ns, key string) error {
	if _, err := s.api.DeleteWorkersKVEntry(ctx, s.rc, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: ns, Key: key}); err != nil {
		return err
	}
	for _, h := range s.afterDelete {
		h(ctx, ns, key)
	}
	return nil
}

// ListPage returns one page of keys under prefix and the cursor for the next
// page ("" when there is none). Callers decide how far to page.
func (s *Store) ListPage(ctx context.Context, ns, prefix, cursor string, limit int) ([]cloudflare.StorageKey, string, error) {
	resp, err := s.api.ListWorkersKVKeys(ctx, s.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: ns,
		Prefix:      prefix,
		Cursor:      cursor,
		Limit:       limit,
	})
	if err != nil {
		return nil, "", err
	}
	return resp.Result, resp.Cursor, nil
}
