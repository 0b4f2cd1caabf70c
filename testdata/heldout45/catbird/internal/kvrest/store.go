//go:build !js

// Package kvrest is the backend's thin adapter over the Cloudflare REST API
// for Workers KV. One Store talks to one namespace.
package kvrest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

// Store is cheap to copy; handlers keep it by value.
type Store struct {
	API         *cloudflare.API
	Account     *cloudflare.ResourceContainer
	NamespaceID string
}

// New builds a Store for one namespace of one account.
func New(token, accountID, namespaceID string) (Store, error) {
	api, err := cloudflare.NewWithAPIToken(token)
	if err != nil {
		return Store{}, fmt.Errorf("kvrest: %w", err)
	}
	return Store{API: api, Account: cloudflare.AccountIdentifier(accountID), NamespaceID: namespaceID}, nil
}

// WithNamespace returns a copy of s bound to another namespace.
func (s Store) WithNamespace(id string) Store {
	s.NamespaceID = id
	return s
}

// Get returns the value under key. found is false when KV answered 404.
func (s Store) Get(ctx context.Context, key string) (val []byte, found bool, err error) {
	val, err = s.API.GetWorkersKV(ctx, s.Account, cloudflare.GetWorkersKVParams{
		NamespaceID: s.NamespaceID,
		Key:         key,
	})
	if err != nil {
		var nf *cloudflare.NotFoundError
		if errors.As(err, &nf) {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("kvrest: get %q: %w", key, err)
	}
	return val, true, nil
}

// GetJSON decodes the value under key into dst.
func (s Store) GetJSON(ctx context.Context, key string, dst any) (bool, error) {
	raw, found, err := s.Get(ctx, key)
	if err != nil || !found {
		return false, err
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return false, fmt.Errorf("kvrest: decode %q: %w", key, err)
	}
	return true, nil
}

// Put stores val under key with no expiration.
func (s Store) Put(ctx context.Context, key string, val []byte) error {
	_, err := s.API.WriteWorkersKVEntry(ctx, s.Account, cloudflare.WriteWorkersKVEntryParams{
		NamespaceID: s.NamespaceID,
		Key:         key,
		Value:       val,
	})
	if err != nil {
		return fmt.Errorf("kvrest: put %q: %w", key, err)
	}
	return nil
}

// PutTTL stores val under key and lets KV expire it after ttl. The single
// write endpoint takes no expiration in this SDK, so it goes through bulk.
func (s Store) PutTTL(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	_, err := s.API.WriteWorkersKVEntries(ctx, s.Account, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: s.NamespaceID,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:           key,
			Value:         string(val),
			ExpirationTTL: int(ttl.Seconds()),
		}},
	})
	if err != nil {
		return fmt.Errorf("kvrest: put %q: %w", key, err)
	}
	return nil
}

// PutCache is PutTTL for derived data; short TTLs are raised to KV's floor.
func (s Store) PutCache(ctx context.Context, key string, v any, ttl time.Duration) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.PutTTL(ctx, key, raw, ttl)
}

// BulkLimit is the most pairs the bulk endpoint accepts in one request.
const BulkLimit = 10_000

// PutMany writes pairs in as many bulk requests as needed.
func (s Store) PutMany(ctx context.Context, pairs []*cloudflare.WorkersKVPair) (int, error) {
	written := 0
	for batch := range slices.Chunk(pairs, BulkLimit) {
		_, err := s.API.WriteWorkersKVEntries(ctx, s.Account, cloudflare.WriteWorkersKVEntriesParams{
			NamespaceID: s.NamespaceID,
			KVs:         batch,
		})
		if err != nil {
			return written, fmt.Errorf("kvrest: bulk write after %d: %w", written, err)
		}
		written += len(batch)
	}
	return written, nil
}

// Delete removes key.
func (s Store) Delete(ctx context.Context, key string) error {
	_, err := s.API.DeleteWorkersKVEntry(ctx, s.Account, cloudflare.DeleteWorkersKVEntryParams{
		NamespaceID: s.NamespaceID,
		Key:         key,
	})
	if err != nil {
		return fmt.Errorf("kvrest: delete %q: %w", key, err)
	}
	return nil
}

// Page returns one page of keys under prefix and the cursor for the next
// page ("" when there is none).
func (s Store) Page(ctx context.Context, prefix, cursor string, limit int) ([]cloudflare.StorageKey, string, error) {
	resp, err := s.API.ListWorkersKVKeys(ctx, s.Account, cloudflare.ListWorkersKVsParams{
		NamespaceID: s.NamespaceID,
		Prefix:      prefix,
		Cursor:      cursor,
		Limit:       limit,
	})
	if err != nil {
		return nil, "", fmt.Errorf("kvrest: list %q: %w", prefix, err)
	}
	return resp.Result, resp.Cursor, nil
}

// AppendJSON adds item to the JSON array stored under key, creating it if needed.
func (s Store) AppendJSON(ctx context.Context, key string, item any, ttl time.Duration) error {
	var items []json.RawMessage
	if _, err := s.GetJSON(ctx, key, &items); err != nil {
		return err
	}
	raw, err := json.Marshal(item)
	if err != nil {
		return err
	}
	items = append(items, raw)
	out, err := json.Marshal(items)
	if err != nil {
		return err
	}
	return s.PutTTL(ctx, key, out, ttl) // EXPECT kvrace
}
