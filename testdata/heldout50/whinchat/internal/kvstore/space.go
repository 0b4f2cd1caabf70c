// Package kvstore adapts the Cloudflare API client (v6) to the key layout of
// the fleet namespace. A Space is the namespace narrowed to a key prefix;
// callers narrow it further with Scope as they go, so a key such as
// "t/acme/cfg/dev-42" is assembled a segment at a time.
package kvstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/option"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// ErrNotFound is returned by Get when the key does not exist (HTTP 404).
var ErrNotFound = errors.New("kvstore: key not found")

const (
	sep          = "/"
	bulkWriteMax = 10_000
	bulkReadMax  = 100
)

// Space is a KV namespace narrowed to a key prefix. It is a small value type;
// Scope returns a copy and never modifies the receiver.
type Space struct {
	client    *cloudflare.Client
	accountID string
	namespace string
	prefix    string
}

// Open returns the root Space of a namespace.
func Open(apiToken, accountID, namespace string) Space {
	client := cloudflare.NewClient(option.WithAPIToken(apiToken), option.WithMaxRetries(2))
	return Space{client: client, accountID: accountID, namespace: namespace}
}

// Scope returns the Space under the given path segments. Empty segments are
// skipped so that optional parts can be passed unconditionally.
func (s Space) Scope(parts ...string) Space {
	for _, p := range parts {
		p = strings.Trim(p, sep)
		if p == "" {
			continue
		}
		s.prefix += p + sep
	}
	return s
}

// Prefix reports the key prefix of the Space, including the trailing slash.
func (s Space) Prefix() string { return s.prefix }

// Key returns the full key for name inside the Space.
func (s Space) Key(name string) string { return s.prefix + name }

// Name strips the Space prefix from a full key returned by a listing.
func (s Space) Name(key string) string { return strings.TrimPrefix(key, s.prefix) }

// Client exposes the client for the few calls the adapter does not wrap.
func (s Space) Client() (*cloudflare.Client, string, string) {
	return s.client, s.accountID, s.namespace
}

// Get reads one value. A missing key yields ErrNotFound.
func (s Space) Get(ctx context.Context, name string) ([]byte, error) {
	params := kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.accountID)}
	res, err := s.client.KV.Namespaces.Values.Get(ctx, s.namespace, s.Key(name), params)
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kv get %q: %w", s.Key(name), err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Put writes one value. A zero ttl stores the value without expiry; any other
// ttl is sent as expiration_ttl in whole seconds.
func (s Space) Put(ctx context.Context, name string, value []byte, ttl time.Duration) error {
	return s.PutMeta(ctx, name, value, nil, ttl)
}

// PutMeta writes one value with metadata attached.
func (s Space) PutMeta(ctx context.Context, name string, value []byte, meta any, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(float64(int(ttl.Seconds())))
	}
	if meta != nil {
		params.Metadata = cloudflare.F[any](meta)
	}
	if _, err := s.client.KV.Namespaces.Values.Update(ctx, s.namespace, s.Key(name), params); err != nil {
		return fmt.Errorf("kv put %q: %w", s.Key(name), err)
	}
	return nil
}

// Remember stores a cache entry. Cache windows shorter than the KV minimum are
// raised to one minute rather than failing the write.
func (s Space) Remember(ctx context.Context, name string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.Put(ctx, name, value, ttl)
}

// Delete removes one key. Deleting a missing key is not an error.
func (s Space) Delete(ctx context.Context, name string) error {
	params := kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(s.accountID)}
	if _, err := s.client.KV.Namespaces.Values.Delete(ctx, s.namespace, s.Key(name), params); err != nil {
		return fmt.Errorf("kv delete %q: %w", s.Key(name), err)
	}
	return nil
}

// Mutate applies fn to the current value of name and stores the result. fn
// receives nil when the key does not exist yet.
func (s Space) Mutate(ctx context.Context, name string, ttl time.Duration, fn func(old []byte) ([]byte, error)) error {
	old, err := s.Get(ctx, name)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	next, err := fn(old)
	if err != nil {
		return err
	}
	return s.Put(ctx, name, next, ttl) // EXPECT kvrace
}

// Page is one page of a key listing.
type Page struct {
	Keys   []kv.Key
	Cursor string // empty when the listing is complete
}

// Names returns the key names of the page relative to the Space.
func (p Page) Names(s Space) []string {
	out := make([]string, 0, len(p.Keys))
	for _, k := range p.Keys {
		out = append(out, s.Name(k.Name))
	}
	return out
}

// List fetches one page of keys under the Space prefix, starting at cursor.
func (s Space) List(ctx context.Context, cursor string, limit int) (Page, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.accountID),
		Limit:     cloudflare.F(float64(limit)),
	}
	if s.prefix != "" {
		params.Prefix = cloudflare.F(s.prefix)
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	res, err := s.client.KV.Namespaces.Keys.List(ctx, s.namespace, params)
	if err != nil {
		return Page{}, fmt.Errorf("kv list %q: %w", s.prefix, err)
	}
	return Page{Keys: res.Result, Cursor: res.ResultInfo.Cursor}, nil
}

// Entry is one pair for BulkPut.
type Entry struct {
	Name, Value string
	TTL         time.Duration
	Meta        any
}

// BulkPut writes entries in batches of at most 10,000 pairs.
func (s Space) BulkPut(ctx context.Context, entries []Entry) error {
	for batch := range slices.Chunk(entries, bulkWriteMax) {
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(batch))
		for _, e := range batch {
			b := kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F(s.Key(e.Name)), Value: cloudflare.F(e.Value)}
			if e.TTL > 0 {
				b.ExpirationTTL = cloudflare.F(e.TTL.Seconds())
			}
			if e.Meta != nil {
				b.Metadata = cloudflare.F[any](e.Meta)
			}
			body = append(body, b)
		}
		params := kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(s.accountID), Body: body}
		res, err := s.client.KV.Namespaces.BulkUpdate(ctx, s.namespace, params)
		if err != nil {
			return fmt.Errorf("kv bulk put under %q: %w", s.prefix, err)
		}
		if n := len(res.UnsuccessfulKeys); n > 0 {
			return fmt.Errorf("kv bulk put under %q: %d keys not written", s.prefix, n)
		}
	}
	return nil
}

// BulkGet reads the given names (100 per request) and returns the values that
// exist. Missing names are absent from the result.
func (s Space) BulkGet(ctx context.Context, names []string) (map[string]string, error) {
	out := make(map[string]string, len(names))
	for batch := range slices.Chunk(names, bulkReadMax) {
		keys := make([]string, len(batch))
		for i, n := range batch {
			keys[i] = s.Key(n)
		}
		res, err := s.client.KV.Namespaces.BulkGet(ctx, s.namespace, kv.NamespaceBulkGetParams{
			AccountID: cloudflare.F(s.accountID),
			Keys:      cloudflare.F(keys),
			Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
		})
		if err != nil {
			return nil, fmt.Errorf("kv bulk get under %q: %w", s.prefix, err)
		}
		values, _ := res.Values.(map[string]kv.NamespaceBulkGetResponseWorkersKVBulkGetResultValuesUnion)
		for k, v := range values {
			if str, ok := v.(shared.UnionString); ok {
				out[s.Name(k)] = string(str)
			}
		}
	}
	return out, nil
}

// DeleteMany removes the given names, 10,000 keys per bulk request.
func (s Space) DeleteMany(ctx context.Context, names []string) error {
	for batch := range slices.Chunk(names, bulkWriteMax) {
		keys := make([]string, len(batch))
		for i, n := range batch {
			keys[i] = s.Key(n)
		}
		params := kv.NamespaceBulkDeleteParams{AccountID: cloudflare.F(s.accountID), Body: keys}
		if _, err := s.client.KV.Namespaces.BulkDelete(ctx, s.namespace, params); err != nil {
			return fmt.Errorf("kv bulk delete under %q: %w", s.prefix, err)
		}
	}
	return nil
}
