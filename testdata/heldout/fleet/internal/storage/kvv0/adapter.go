// Package kvv0 is the Workers KV adapter used by the legacy provisioning
// subsystem. It predates the move to cloudflare-go v6 and still talks to the
// REST API through github.com/cloudflare/cloudflare-go v0.
//
// Besides implementing storage.Store it exposes the seconds-based helpers the
// legacy code was written against (PutWithTTL, PutBatch).
package kvv0

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"example.com/fleet/internal/storage"
)

type writeBulkFunc func(ctx context.Context, rc *cloudflare.ResourceContainer, params cloudflare.WriteWorkersKVEntriesParams) (cloudflare.Response, error)

// Adapter implements storage.BatchStore over the v0 client.
type Adapter struct {
	api         *cloudflare.API
	rc          *cloudflare.ResourceContainer
	namespaceID string

	// writeBulk is the bulk endpoint; single-key writes with a TTL go through
	// it too because WriteWorkersKVEntry has no expiration parameters.
	writeBulk writeBulkFunc
}

var _ storage.BatchStore = (*Adapter)(nil)

// New returns an Adapter for one namespace in accountID.
func New(api *cloudflare.API, accountID, namespaceID string) *Adapter {
	return &Adapter{
		api:         api,
		rc:          cloudflare.AccountIdentifier(accountID),
		namespaceID: namespaceID,
		writeBulk:   api.WriteWorkersKVEntries,
	}
}

func (a *Adapter) Get(ctx context.Context, key string) ([]byte, error) {
	v, err := a.api.GetWorkersKV(ctx, a.rc, cloudflare.GetWorkersKVParams{
		NamespaceID: a.namespaceID,
		Key:         key,
	})
	if err != nil {
		var nf cloudflare.NotFoundError
		if errors.As(err, &nf) {
			return nil, storage.ErrNotFound
		}
		return nil, fmt.Errorf("kvv0 get %q: %w", key, err)
	}
	return v, nil
}

// Put writes a value with no expiration.
func (a *Adapter) Put(ctx context.Context, key string, val []byte) error {
	_, err := a.api.WriteWorkersKVEntry(ctx, a.rc, cloudflare.WriteWorkersKVEntryParams{
		NamespaceID: a.namespaceID,
		Key:         key,
		Value:       val,
	})
	if err != nil {
		return fmt.Errorf("kvv0 put %q: %w", key, err)
	}
	return nil
}

// PutWithTTL writes a value that KV expires after ttlSeconds.
func (a *Adapter) PutWithTTL(ctx context.Context, key string, val []byte, ttlSeconds int) error {
	return a.PutBatch(ctx, []*cloudflare.WorkersKVPair{{
		Key:           key,
		Value:         string(val),
		ExpirationTTL: ttlSeconds,
	}})
}

// PutBatch writes pairs in one request.
func (a *Adapter) PutBatch(ctx context.Context, pairs []*cloudflare.WorkersKVPair) error {
	if len(pairs) == 0 {
		return nil
	}
	resp, err := a.writeBulk(ctx, a.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: a.namespaceID,
		KVs:         pairs,
	})
	if err != nil {
		return fmt.Errorf("kvv0 bulk write (%d pairs): %w", len(pairs), err)
	}
	if !resp.Success {
		return fmt.Errorf("kvv0 bulk write: %v", resp.Errors)
	}
	return nil
}

// Set implements storage.Store.
func (a *Adapter) Set(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	if ttl <= 0 {
		return a.Put(ctx, key, val)
	}
	return a.PutWithTTL(ctx, key, val, int(ttl/time.Second))
}

// SetMany implements storage.BatchStore.
func (a *Adapter) SetMany(ctx context.Context, entries []storage.Entry) error {
	pairs := make([]*cloudflare.WorkersKVPair, 0, len(entries))
	for _, e := range entries {
		p := &cloudflare.WorkersKVPair{Key: e.Key, Value: string(e.Value)}
		if e.TTL > 0 {
			p.ExpirationTTL = int(e.TTL.Seconds())
		} else if !e.ExpiresAt.IsZero() {
			p.Expiration = int(e.ExpiresAt.Unix())
		}
		pairs = append(pairs, p)
	}
	return a.PutBatch(ctx, pairs)
}

func (a *Adapter) Delete(ctx context.Context, key string) error {
	_, err := a.api.DeleteWorkersKVEntry(ctx, a.rc, cloudflare.DeleteWorkersKVEntryParams{
		NamespaceID: a.namespaceID,
		Key:         key,
	})
	if err != nil {
		var nf cloudflare.NotFoundError
		if errors.As(err, &nf) {
			return nil
		}
		return fmt.Errorf("kvv0 delete %q: %w", key, err)
	}
	return nil
}

// ListKeys returns every key under prefix, following cursors until the
// listing is exhausted.
func (a *Adapter) ListKeys(ctx context.Context, prefix string) ([]string, error) {
	var (
		keys   []string
		cursor string
	)
	for {
		resp, err := a.api.ListWorkersKVKeys(ctx, a.rc, cloudflare.ListWorkersKVsParams{
			NamespaceID: a.namespaceID,
			Prefix:      prefix,
			Limit:       1000,
			Cursor:      cursor,
		})
		if err != nil {
			return nil, fmt.Errorf("kvv0 list %q: %w", prefix, err)
		}
		for _, k := range resp.Result {
			keys = append(keys, k.Name)
		}
		cursor = resp.ResultInfo.Cursor
		if cursor == "" {
			break
		}
		if len(keys) > 1_000_000 {
			log.Printf("kvv0: listing %q stopped after %d keys", prefix, len(keys))
			break
		}
	}
	return keys, nil
}
