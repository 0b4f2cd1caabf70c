// Package kvstore is the team's thin adapter over the Cloudflare REST API
// for Workers KV. Every backend component that touches KV goes through a
// *Namespace so account routing and error mapping live in one place.
package kvstore

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

// ErrNotFound is returned by Get when the key does not exist.
var ErrNotFound = errors.New("kvstore: not found")

// Namespace is one KV namespace reached over the REST API.
type Namespace struct {
	API     *cloudflare.API
	Account *cloudflare.ResourceContainer
	ID      string
	Name    string
}

// Open builds a Namespace from an API token.
func Open(token, accountID, namespaceID, name string) (*Namespace, error) {
	api, err := cloudflare.NewWithAPIToken(token)
	if err != nil {
		return nil, fmt.Errorf("kvstore: %w", err)
	}
	return &Namespace{API: api, Account: cloudflare.AccountIdentifier(accountID), ID: namespaceID, Name: name}, nil
}

// IsNotFound reports whether err is a 404 from the KV API.
func IsNotFound(err error) bool {
	if errors.Is(err, ErrNotFound) {
		return true
	}
	var nf *cloudflare.NotFoundError
	if errors.As(err, &nf) {
		return true
	}
	var ce *cloudflare.Error
	return errors.As(err, &ce) && ce.StatusCode == http.StatusNotFound
}

// Get reads a value. A missing key yields ErrNotFound.
func (n *Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	raw, err := n.API.GetWorkersKV(ctx, n.Account, cloudflare.GetWorkersKVParams{NamespaceID: n.ID, Key: key})
	if err != nil {
		if IsNotFound(err) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kv get %s/%s: %w", n.Name, key, err)
	}
	return raw, nil
}

// Put writes a value with no expiry.
func (n *Namespace) Put(ctx context.Context, key string, value []byte) error {
	_, err := n.API.WriteWorkersKVEntry(ctx, n.Account, cloudflare.WriteWorkersKVEntryParams{
		NamespaceID: n.ID,
		Key:         key,
		Value:       value,
	})
	return err
}

// PutTTL writes a value that expires ttl from now. The single-key endpoint
// takes no TTL, so this goes through the bulk endpoint with one pair.
func (n *Namespace) PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	_, err := n.API.WriteWorkersKVEntries(ctx, n.Account, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: n.ID,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:           key,
			Value:         string(value),
			ExpirationTTL: int(ttl.Seconds()),
		}},
	})
	return err
}

// MinTTL is the shortest lifetime KV accepts.
const MinTTL = time.Minute

// PutCached writes a cache entry. Lifetimes below KV's floor are raised to
// it so callers can pass whatever their upstream's max-age was.
func (n *Namespace) PutCached(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < MinTTL {
		ttl = MinTTL
	}
	return n.PutTTL(ctx, key, value, ttl)
}

// PutMany writes pairs in one bulk request.
func (n *Namespace) PutMany(ctx context.Context, pairs []*cloudflare.WorkersKVPair) error {
	if len(pairs) == 0 {
		return nil
	}
	_, err := n.API.WriteWorkersKVEntries(ctx, n.Account, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: n.ID, KVs: pairs})
	return err
}

// Delete removes a key.
func (n *Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.API.DeleteWorkersKVEntry(ctx, n.Account, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: n.ID, Key: key})
	return err
}

// DeleteMany removes keys in one bulk request.
func (n *Namespace) DeleteMany(ctx context.Context, keys []string) error {
	_, err := n.API.DeleteWorkersKVEntries(ctx, n.Account, cloudflare.DeleteWorkersKVEntriesParams{NamespaceID: n.ID, Keys: keys})
	return err
}

// Page is one page of a key listing.
type Page struct {
	Keys   []cloudflare.StorageKey
	Cursor string
}

// ListPage returns one page of keys under prefix starting at cursor.
func (n *Namespace) ListPage(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	resp, err := n.API.ListWorkersKVKeys(ctx, n.Account, cloudflare.ListWorkersKVsParams{
		NamespaceID: n.ID,
		Prefix:      prefix,
		Cursor:      cursor,
		Limit:       limit,
	})
	if err != nil {
		return Page{}, err
	}
	return Page{Keys: resp.Result, Cursor: resp.Cursor}, nil
}
