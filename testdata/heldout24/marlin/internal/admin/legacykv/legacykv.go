// Package legacykv is the admin tooling's view of a KV namespace, built on
// the older cloudflare-go v0 client the ops scripts were written against.
package legacykv

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"
)

// Namespace wraps one namespace.
type Namespace struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	id  string
}

// Open returns a Namespace using an API token.
func Open(token, accountID, namespaceID string) (*Namespace, error) {
	api, err := cloudflare.NewWithAPIToken(token)
	if err != nil {
		return nil, err
	}
	return &Namespace{api: api, rc: cloudflare.AccountIdentifier(accountID), id: namespaceID}, nil
}

// ErrMissing is returned by Get for absent keys.
var ErrMissing = errors.New("legacykv: missing")

// Get reads a key, mapping a 404 to ErrMissing.
func (n *Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	b, err := n.api.GetWorkersKV(ctx, n.rc, cloudflare.GetWorkersKVParams{NamespaceID: n.id, Key: key})
	var nf *cloudflare.NotFoundError
	if errors.As(err, &nf) {
		return nil, ErrMissing
	}
	return b, err
}

// Set writes a key without expiry.
func (n *Namespace) Set(ctx context.Context, key string, value []byte) error {
	_, err := n.api.WriteWorkersKVEntry(ctx, n.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: n.id, Key: key, Value: value})
	return err
}

// SetWithTTL writes a key that expires after ttl. The bulk endpoint is the
// only one of the v0 client that accepts an expiry.
func (n *Namespace) SetWithTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	_, err := n.api.WriteWorkersKVEntries(ctx, n.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: n.id,
		KVs:         []*cloudflare.WorkersKVPair{{Key: key, Value: string(value), ExpirationTTL: int(ttl.Seconds())}},
	})
	return err
}

// Pair is one key/value of an import.
type Pair struct {
	Key   string
	Value string
	TTL   time.Duration
}

const importBatch = 20_000

// Import writes pairs with the bulk endpoint.
func (n *Namespace) Import(ctx context.Context, pairs []Pair) (int, error) {
	written := 0
	for start := 0; start < len(pairs); start += importBatch {
		batch := pairs[start:min(start+importBatch, len(pairs))]
		kvs := make([]*cloudflare.WorkersKVPair, 0, len(batch))
		for _, p := range batch {
			kvs = append(kvs, &cloudflare.WorkersKVPair{Key: p.Key, Value: p.Value, ExpirationTTL: int(p.TTL)}) // EXPECT kvttl
		}
		if _, err := n.api.WriteWorkersKVEntries(ctx, n.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: n.id, KVs: kvs}); err != nil { // EXPECT kvlimits
			return written, fmt.Errorf("import batch at %d: %w", start, err)
		}
		written += len(batch)
	}
	return written, nil
}

const deleteBatch = 10_000

// DeleteKeys removes keys with the bulk endpoint.
func (n *Namespace) DeleteKeys(ctx context.Context, keys []string) error {
	for start := 0; start < len(keys); start += deleteBatch {
		batch := keys[start:min(start+deleteBatch, len(keys))]
		if _, err := n.api.DeleteWorkersKVEntries(ctx, n.rc, cloudflare.DeleteWorkersKVEntriesParams{NamespaceID: n.id, Keys: batch}); err != nil {
			return err
		}
	}
	return nil
}

// EnsureDefault writes value under key unless the key already holds one.
func (n *Namespace) EnsureDefault(ctx context.Context, key string, value []byte) (bool, error) {
	if _, err := n.api.GetWorkersKV(ctx, n.rc, cloudflare.GetWorkersKVParams{NamespaceID: n.id, Key: key}); err != nil { // EXPECT kvnull
		return true, n.Set(ctx, key, value) // DEBATABLE kvrace
	}
	return false, nil
}

// Int reads an integer setting such as a feature rollout percentage.
func (n *Namespace) Int(ctx context.Context, key string) int {
	v, _ := n.api.GetWorkersKV(ctx, n.rc, cloudflare.GetWorkersKVParams{NamespaceID: n.id, Key: key}) // EXPECT kvnull
	i, _ := strconv.Atoi(string(v))
	return i
}

// IntOr reads an integer setting, returning fallback when it is unset.
func (n *Namespace) IntOr(ctx context.Context, key string, fallback int) (int, error) {
	v, err := n.Get(ctx, key)
	if errors.Is(err, ErrMissing) {
		return fallback, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(v))
}
