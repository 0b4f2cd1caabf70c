// Package kvstore is the backend's thin adapter over the Cloudflare REST API
// for Workers KV. The edge Worker talks to the same namespaces through its
// bindings (see internal/edge); everything in the bot process goes through here.
package kvstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

// ErrNotFound is returned by Get and GetJSON when the key does not exist.
var ErrNotFound = errors.New("kvstore: key not found")

// Namespace is one KV namespace reached over the REST API.
type Namespace struct {
	api   *cloudflare.API
	rc    *cloudflare.ResourceContainer
	id    string
	title string
}

// Open builds a Namespace from an API token, an account and a namespace ID.
func Open(token, accountID, namespaceID, title string) (*Namespace, error) {
	api, err := cloudflare.NewWithAPIToken(token)
	if err != nil {
		return nil, fmt.Errorf("kvstore: %w", err)
	}
	return &Namespace{
		api:   api,
		rc:    cloudflare.AccountIdentifier(accountID),
		id:    namespaceID,
		title: title,
	}, nil
}

// Raw exposes the underlying client for the few callers that need the SDK
// directly (admin tooling, bulk jobs).
func (n *Namespace) Raw() (*cloudflare.API, *cloudflare.ResourceContainer, string) {
	return n.api, n.rc, n.id
}

func (n *Namespace) String() string { return n.title }

// Get returns the raw value stored under key, or ErrNotFound.
func (n *Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	raw, err := n.api.GetWorkersKV(ctx, n.rc, cloudflare.GetWorkersKVParams{NamespaceID: n.id, Key: key})
	if err != nil {
		var nf *cloudflare.NotFoundError
		if errors.As(err, &nf) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kvstore: get %q: %w", key, err)
	}
	return raw, nil
}

// GetJSON decodes the JSON value stored under key into v.
func (n *Namespace) GetJSON(ctx context.Context, key string, v any) error {
	raw, err := n.Get(ctx, key)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("kvstore: decode %q: %w", key, err)
	}
	return nil
}

// Put stores value under key with no expiration.
func (n *Namespace) Put(ctx context.Context, key string, value []byte) error {
	_, err := n.api.WriteWorkersKVEntry(ctx, n.rc, cloudflare.WriteWorkersKVEntryParams{
		NamespaceID: n.id,
		Key:         key,
		Value:       value,
	})
	if err != nil {
		return fmt.Errorf("kvstore: put %q: %w", key, err)
	}
	return nil
}

// PutTTL stores value under key and lets KV expire it after ttl. The single
// write endpoint takes no expiry, so this goes through the bulk endpoint.
func (n *Namespace) PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	_, err := n.api.WriteWorkersKVEntries(ctx, n.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: n.id,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:           key,
			Value:         string(value),
			ExpirationTTL: int(ttl.Seconds()),
		}},
	})
	if err != nil {
		return fmt.Errorf("kvstore: put %q: %w", key, err)
	}
	return nil
}

// PutJSON encodes v and stores it with a lifetime of at least one minute.
// A zero ttl means the value does not expire.
func (n *Namespace) PutJSON(ctx context.Context, key string, v any, ttl time.Duration) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("kvstore: encode %q: %w", key, err)
	}
	if ttl == 0 {
		return n.Put(ctx, key, raw)
	}
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return n.PutTTL(ctx, key, raw, ttl)
}

// PutUntil stores value under key until the absolute time at.
func (n *Namespace) PutUntil(ctx context.Context, key string, value []byte, at time.Time) error {
	_, err := n.api.WriteWorkersKVEntries(ctx, n.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: n.id,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:        key,
			Value:      string(value),
			Expiration: int(at.Unix()),
		}},
	})
	if err != nil {
		return fmt.Errorf("kvstore: put %q: %w", key, err)
	}
	return nil
}

// PutMany writes pairs through the bulk endpoint in one request.
func (n *Namespace) PutMany(ctx context.Context, pairs []*cloudflare.WorkersKVPair) error {
	if len(pairs) == 0 {
		return nil
	}
	_, err := n.api.WriteWorkersKVEntries(ctx, n.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: n.id,
		KVs:         pairs,
	})
	if err != nil {
		return fmt.Errorf("kvstore: bulk put of %d pairs: %w", len(pairs), err)
	}
	return nil
}

// Delete removes key. Deleting a missing key is not an error.
func (n *Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.api.DeleteWorkersKVEntry(ctx, n.rc, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: n.id, Key: key})
	if err != nil {
		var nf *cloudflare.NotFoundError
		if errors.As(err, &nf) {
			return nil
		}
		return fmt.Errorf("kvstore: delete %q: %w", key, err)
	}
	return nil
}

// Page lists one page of keys under prefix, starting at cursor. The returned
// cursor is empty when there is nothing more to fetch.
func (n *Namespace) Page(ctx context.Context, prefix, cursor string, limit int) ([]cloudflare.StorageKey, string, error) {
	resp, err := n.api.ListWorkersKVKeys(ctx, n.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: n.id,
		Prefix:      prefix,
		Cursor:      cursor,
		Limit:       limit,
	})
	if err != nil {
		return nil, "", fmt.Errorf("kvstore: list %q: %w", prefix, err)
	}
	return resp.Result, resp.Cursor, nil
}
