// Package kv is kahu's thin layer over the Cloudflare Workers KV REST API.
//
// Every backend component talks to KV through a Namespace, which pairs the
// account-scoped API client with one namespace ID. Values are opaque bytes;
// callers own their encodings.
package kv

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

// ErrNotFound is returned by Get when the key does not exist (HTTP 404).
var ErrNotFound = errors.New("kv: key not found")

// Client holds an authenticated API handle for one Cloudflare account.
type Client struct {
	api     *cloudflare.API
	account *cloudflare.ResourceContainer
}

// NewClient builds a client from an API token scoped to Workers KV Storage:Edit.
func NewClient(token, accountID string) (*Client, error) {
	api, err := cloudflare.NewWithAPIToken(token)
	if err != nil {
		return nil, fmt.Errorf("kv: api client: %w", err)
	}
	return &Client{api: api, account: cloudflare.AccountIdentifier(accountID)}, nil
}

// API exposes the underlying SDK handle for the few callers that need the
// bulk or list endpoints directly.
func (c *Client) API() *cloudflare.API { return c.api }

// Account returns the account resource container.
func (c *Client) Account() *cloudflare.ResourceContainer { return c.account }

// Namespace binds the client to a namespace ID.
func (c *Client) Namespace(id string) Namespace {
	return Namespace{c: c, id: id}
}

// Namespace is a handle on one KV namespace. The zero value is not usable.
type Namespace struct {
	c  *Client
	id string
}

// ID returns the namespace identifier.
func (n Namespace) ID() string { return n.id }

// Client returns the owning client.
func (n Namespace) Client() *Client { return n.c }

// Get returns the raw value stored under key, or ErrNotFound.
func (n Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	v, err := n.c.api.GetWorkersKV(ctx, n.c.account, cloudflare.GetWorkersKVParams{
		NamespaceID: n.id,
		Key:         key,
	})
	if err != nil {
		var nf *cloudflare.NotFoundError
		if errors.As(err, &nf) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kv get %q: %w", key, err)
	}
	return v, nil
}

// Put stores value under key with no expiration.
func (n Namespace) Put(ctx context.Context, key string, value []byte) error {
	_, err := n.c.api.WriteWorkersKVEntry(ctx, n.c.account, cloudflare.WriteWorkersKVEntryParams{
		NamespaceID: n.id,
		Key:         key,
		Value:       value,
	})
	if err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// PutTTL stores value under key and lets KV expire it after ttl. The single
// write endpoint takes no TTL, so this goes through the bulk endpoint with
// one pair.
func (n Namespace) PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	_, err := n.c.api.WriteWorkersKVEntries(ctx, n.c.account, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: n.id,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:           key,
			Value:         string(value),
			ExpirationTTL: int(ttl.Seconds()),
		}},
	})
	if err != nil {
		return fmt.Errorf("kv put %q (ttl %s): %w", key, ttl, err)
	}
	return nil
}

// PutUntil stores value under key until the absolute time at.
func (n Namespace) PutUntil(ctx context.Context, key string, value []byte, at time.Time) error {
	_, err := n.c.api.WriteWorkersKVEntries(ctx, n.c.account, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: n.id,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:        key,
			Value:      string(value),
			Expiration: int(at.Unix()),
		}},
	})
	if err != nil {
		return fmt.Errorf("kv put %q (until %s): %w", key, at.Format(time.RFC3339), err)
	}
	return nil
}

// Delete removes key. Deleting a missing key is not an error.
func (n Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.c.api.DeleteWorkersKVEntry(ctx, n.c.account, cloudflare.DeleteWorkersKVEntryParams{
		NamespaceID: n.id,
		Key:         key,
	})
	if err != nil {
		return fmt.Errorf("kv delete %q: %w", key, err)
	}
	return nil
}

// WriteBatch writes pairs through the bulk endpoint in one request.
func (n Namespace) WriteBatch(ctx context.Context, pairs []*cloudflare.WorkersKVPair) error {
	if len(pairs) == 0 {
		return nil
	}
	_, err := n.c.api.WriteWorkersKVEntries(ctx, n.c.account, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: n.id,
		KVs:         pairs,
	})
	return err
}

// Page is one page of a key listing.
type Page struct {
	Keys   []cloudflare.StorageKey
	Cursor string // empty when the listing is complete
}

// ListPage returns a single page of keys under prefix starting at cursor.
func (n Namespace) ListPage(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	resp, err := n.c.api.ListWorkersKVKeys(ctx, n.c.account, cloudflare.ListWorkersKVsParams{
		NamespaceID: n.id,
		Prefix:      prefix,
		Cursor:      cursor,
		Limit:       limit,
	})
	if err != nil {
		return Page{}, fmt.Errorf("kv list %q: %w", prefix, err)
	}
	return Page{Keys: resp.Result, Cursor: resp.Cursor}, nil
}

// Remember is a read-through cache: it returns the cached value for key, or
// calls load, stores its result for ttl and returns it. KV will not keep
// anything for less than a minute, so shorter TTLs are raised.
func (n Namespace) Remember(ctx context.Context, key string, ttl time.Duration, load func(context.Context) ([]byte, error)) ([]byte, error) {
	v, err := n.Get(ctx, key)
	if err == nil {
		return v, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	v, err = load(ctx)
	if err != nil {
		return nil, err
	}
	if ttl < time.Minute {
		ttl = time.Minute
	}
	if err := n.PutTTL(ctx, key, v, ttl); err != nil {
		return v, fmt.Errorf("kv remember %q: %w", key, err)
	}
	return v, nil
}
