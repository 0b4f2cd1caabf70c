package kvstore

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	cf "github.com/cloudflare/cloudflare-go"
)

// bulkWriteMax is the number of pairs the bulk endpoint accepts per request.
const bulkWriteMax = 10_000

// Namespace is a KV namespace reached through cloudflare-go v0.
type Namespace struct {
	api *cf.API
	rc  *cf.ResourceContainer
	id  string
}

// NewNamespace binds a v0 API client to one namespace of one account.
func NewNamespace(api *cf.API, accountID, namespaceID string) *Namespace {
	return &Namespace{api: api, rc: cf.AccountIdentifier(accountID), id: namespaceID}
}

// ID returns the namespace identifier.
func (n *Namespace) ID() string { return n.id }

// API returns the underlying client and account container for callers that
// need endpoints the adapter does not wrap.
func (n *Namespace) API() (*cf.API, *cf.ResourceContainer) { return n.api, n.rc }

// Get returns the raw value of key, or ErrNotFound.
func (n *Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	raw, err := n.api.GetWorkersKV(ctx, n.rc, cf.GetWorkersKVParams{NamespaceID: n.id, Key: key})
	if err != nil {
		if IsNotFound(err) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kv get %q: %w", key, err)
	}
	return raw, nil
}

// Put writes value under key. WriteWorkersKVEntry cannot carry an
// expiration, so writes with a ttl go through the bulk endpoint as a single
// pair.
func (n *Namespace) Put(ctx context.Context, key string, value any, ttl time.Duration) error {
	body, err := encode(value)
	if err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	if ttl <= 0 {
		if _, err := n.api.WriteWorkersKVEntry(ctx, n.rc, cf.WriteWorkersKVEntryParams{NamespaceID: n.id, Key: key, Value: body}); err != nil {
			return fmt.Errorf("kv put %q: %w", key, err)
		}
		return nil
	}
	pair := pairFor(key, body)
	pair.ExpirationTTL = int(ttl.Seconds())
	return n.WriteBatch(ctx, []*cf.WorkersKVPair{pair})
}

// PutAt writes value under key with an absolute expiration.
func (n *Namespace) PutAt(ctx context.Context, key string, value any, expiresAt time.Time, meta any) error {
	body, err := encode(value)
	if err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	pair := pairFor(key, body)
	pair.Expiration = int(expiresAt.Unix())
	pair.Metadata = meta
	return n.WriteBatch(ctx, []*cf.WorkersKVPair{pair})
}

// WriteBatch writes pairs with the bulk endpoint, splitting at the API limit.
func (n *Namespace) WriteBatch(ctx context.Context, pairs []*cf.WorkersKVPair) error {
	for chunk := range slices.Chunk(pairs, bulkWriteMax) {
		if _, err := n.api.WriteWorkersKVEntries(ctx, n.rc, cf.WriteWorkersKVEntriesParams{NamespaceID: n.id, KVs: chunk}); err != nil {
			return fmt.Errorf("kv bulk write (%d pairs): %w", len(chunk), err)
		}
	}
	return nil
}

// Delete removes key. Deleting a missing key is not an error.
func (n *Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.api.DeleteWorkersKVEntry(ctx, n.rc, cf.DeleteWorkersKVEntryParams{NamespaceID: n.id, Key: key})
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("kv delete %q: %w", key, err)
	}
	return nil
}

// DeleteBatch removes keys with the bulk endpoint.
func (n *Namespace) DeleteBatch(ctx context.Context, keys []string) error {
	for chunk := range slices.Chunk(keys, bulkWriteMax) {
		if _, err := n.api.DeleteWorkersKVEntries(ctx, n.rc, cf.DeleteWorkersKVEntriesParams{NamespaceID: n.id, Keys: chunk}); err != nil {
			return fmt.Errorf("kv bulk delete: %w", err)
		}
	}
	return nil
}

// List returns one page of keys.
func (n *Namespace) List(ctx context.Context, opts ListOptions) (Page, error) {
	resp, err := n.api.ListWorkersKVKeys(ctx, n.rc, cf.ListWorkersKVsParams{NamespaceID: n.id, Prefix: opts.Prefix, Cursor: opts.Cursor, Limit: opts.Limit})
	if err != nil {
		return Page{}, fmt.Errorf("kv list %q: %w", opts.Prefix, err)
	}
	page := Page{Cursor: resp.Cursor, Keys: make([]KeyInfo, 0, len(resp.Result))}
	for _, k := range resp.Result {
		page.Keys = append(page.Keys, KeyInfo{Name: k.Name, Expiration: int64(k.Expiration), Metadata: k.Metadata})
	}
	return page, nil
}

// AppendJSON appends entry to the JSON array stored under key, creating the
// array when the key does not exist yet. The array is capped at max entries,
// dropping the oldest.
func (n *Namespace) AppendJSON(ctx context.Context, key string, entry any, max int, ttl time.Duration) error {
	var entries []json.RawMessage
	raw, err := n.Get(ctx, key)
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &entries); err != nil {
			return fmt.Errorf("kv append %q: existing value: %w", key, err)
		}
	case IsNotFound(err):
	default:
		return err
	}
	line, err := json.Marshal(entry)
	if err != nil {
		return err
	}
	entries = append(entries, line)
	if max > 0 && len(entries) > max {
		entries = entries[len(entries)-max:]
	}
	return n.Put(ctx, key, entries, ttl) // EXPECT kvrace
}

func pairFor(key string, body []byte) *cf.WorkersKVPair {
	if utf8.Valid(body) {
		return &cf.WorkersKVPair{Key: key, Value: string(body)}
	}
	return &cf.WorkersKVPair{Key: key, Value: base64.StdEncoding.EncodeToString(body), Base64: true}
}
