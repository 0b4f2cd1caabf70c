// Package kvstore is the tracker service's thin layer over the Workers KV
// REST API (cloudflare-go v0). The SDK client is embedded, so its KV methods
// are available on a Namespace directly; the helpers here cover the common
// single-key cases.
package kvstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	cf "github.com/cloudflare/cloudflare-go"
)

// API is the Cloudflare v0 client.
type API = cf.API

// Pair is one entry of a bulk write.
type Pair = cf.WorkersKVPair

// ErrNotFound is returned by Get when the key does not exist.
var ErrNotFound = errors.New("kvstore: key not found")

// Namespace is one KV namespace reached through an account-scoped client.
type Namespace struct {
	*cf.API
	Account *cf.ResourceContainer
	ID      string
	prefix  string
}

// Open returns a Namespace whose helper methods put prefix in front of every key.
func Open(api *cf.API, accountID, namespaceID, prefix string) *Namespace {
	return &Namespace{
		API:     api,
		Account: cf.AccountIdentifier(accountID),
		ID:      namespaceID,
		prefix:  prefix,
	}
}

// Key returns the full key for name, as stored.
func (n *Namespace) Key(name string) string { return n.prefix + name }

// Get reads one value. A missing key is reported as ErrNotFound.
func (n *Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	raw, err := n.GetWorkersKV(ctx, n.Account, cf.GetWorkersKVParams{NamespaceID: n.ID, Key: n.prefix + key})
	if err != nil {
		var nf *cf.NotFoundError
		if errors.As(err, &nf) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kv get %s: %w", key, err)
	}
	return raw, nil
}

// Put writes one value. A ttl of zero stores the value without expiry.
// The single-value endpoint of this SDK version takes no expiry, so the write
// goes through the bulk endpoint with one pair.
func (n *Namespace) Put(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	pair := &cf.WorkersKVPair{Key: n.prefix + key, Value: string(val)}
	if ttl > 0 {
		pair.ExpirationTTL = int(ttl.Seconds())
	}
	_, err := n.WriteWorkersKVEntries(ctx, n.Account, cf.WriteWorkersKVEntriesParams{
		NamespaceID: n.ID,
		KVs:         []*cf.WorkersKVPair{pair},
	})
	if err != nil {
		return fmt.Errorf("kv put %s: %w", key, err)
	}
	return nil
}

// PutCache writes a cache entry. Entries live at least a minute.
func (n *Namespace) PutCache(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return n.Put(ctx, key, val, ttl)
}

// Delete removes one key.
func (n *Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.DeleteWorkersKVEntry(ctx, n.Account, cf.DeleteWorkersKVEntryParams{NamespaceID: n.ID, Key: n.prefix + key})
	if err != nil {
		return fmt.Errorf("kv delete %s: %w", key, err)
	}
	return nil
}

// AppendJSON adds item to the JSON array stored under key, creating it if
// needed.
func (n *Namespace) AppendJSON(ctx context.Context, key string, item any) error {
	var list []json.RawMessage
	raw, err := n.Get(ctx, key)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(raw, &list); err != nil {
			return fmt.Errorf("kv append %s: %w", key, err)
		}
	}
	b, err := json.Marshal(item)
	if err != nil {
		return err
	}
	list = append(list, b)
	out, err := json.Marshal(list)
	if err != nil {
		return err
	}
	return n.Put(ctx, key, out, 0) // EXPECT kvrace
}

// PutMany writes pairs in bulk requests of at most 10,000 pairs each and
// returns one error per failed request.
func (n *Namespace) PutMany(ctx context.Context, pairs []*Pair) error {
	const maxBulk = 10_000
	var errs []error
	for start := 0; start < len(pairs); start += maxBulk {
		end := min(start+maxBulk, len(pairs))
		for _, p := range pairs[start:end] {
			p.Key = n.prefix + p.Key
		}
		if _, err := n.WriteWorkersKVEntries(ctx, n.Account, cf.WriteWorkersKVEntriesParams{NamespaceID: n.ID, KVs: pairs[start:end]}); err != nil {
			errs = append(errs, fmt.Errorf("bulk %d-%d: %w", start, end, err))
		}
	}
	return errors.Join(errs...)
}
