// Package cfkv is the backend's adapter over the Workers KV REST API
// (cloudflare-go). The dispatcher, the admin API and the nightly jobs share it.
package cfkv

import (
	"context"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// ErrNotFound is returned by Get for a key that does not exist.
var ErrNotFound = errors.New("cfkv: key not found")

// ErrStop may be returned by a Walk visitor to end the walk; Walk then
// returns nil.
var ErrStop = errors.New("cfkv: stop walk")

// Meta is the metadata stored next to a value.
type Meta map[string]any

// Namespace is one KV namespace of one account.
type Namespace struct {
	api       *cloudflare.Client
	accountID string
	id        string
	// MaxPages bounds Walk; zero means 50 pages.
	MaxPages int
}

// New returns a Namespace.
func New(api *cloudflare.Client, accountID, namespaceID string) *Namespace {
	return &Namespace{api: api, accountID: accountID, id: namespaceID}
}

// IsNotFound reports whether err is a 404 from the KV API.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Get returns the value under key, or ErrNotFound.
func (n *Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	resp, err := n.api.KV.Namespaces.Values.Get(ctx, n.id, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(n.accountID),
	})
	if err != nil {
		if IsNotFound(err) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("cfkv: get %s: %w", key, err)
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// Load decodes the value under key into v.
func (n *Namespace) Load(ctx context.Context, key string, v encoding.BinaryUnmarshaler) error {
	b, err := n.Get(ctx, key)
	if err != nil {
		return err
	}
	return v.UnmarshalBinary(b)
}

// Put writes value under key. A positive ttl makes the key expire.
func (n *Namespace) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return n.PutMeta(ctx, key, value, nil, ttl)
}

// PutMeta writes value with metadata under key.
func (n *Namespace) PutMeta(ctx context.Context, key string, value []byte, meta Meta, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(float64(int(ttl.Seconds())))
	}
	if meta != nil {
		params.Metadata = cloudflare.F[any](meta)
	}
	if _, err := n.api.KV.Namespaces.Values.Update(ctx, n.id, key, params); err != nil {
		return fmt.Errorf("cfkv: put %s: %w", key, err)
	}
	return nil
}

// Save encodes v and writes it under key. Lifetimes under a minute are
// raised to a minute.
func (n *Namespace) Save(ctx context.Context, key string, v encoding.BinaryMarshaler, ttl time.Duration) error {
	b, err := v.MarshalBinary()
	if err != nil {
		return fmt.Errorf("cfkv: encode %s: %w", key, err)
	}
	if ttl > 0 && ttl < time.Minute {
		ttl = time.Minute
	}
	return n.Put(ctx, key, b, ttl)
}

// PutAt writes value under key and lets it expire at the given unix time
// in seconds.
func (n *Namespace) PutAt(ctx context.Context, key string, value []byte, expiresAt int64) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(n.accountID),
		Value:      cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
		Expiration: cloudflare.F(float64(expiresAt)),
	}
	if _, err := n.api.KV.Namespaces.Values.Update(ctx, n.id, key, params); err != nil {
		return fmt.Errorf("cfkv: put %s: %w", key, err)
	}
	return nil
}

// Delete removes key.
func (n *Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.api.KV.Namespaces.Values.Delete(ctx, n.id, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(n.accountID),
	})
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("cfkv: delete %s: %w", key, err)
	}
	return nil
}

// Metadata returns the metadata stored with key.
func (n *Namespace) Metadata(ctx context.Context, key string) (Meta, error) {
	res, err := n.api.KV.Namespaces.Metadata.Get(ctx, n.id, key, kv.NamespaceMetadataGetParams{
		AccountID: cloudflare.F(n.accountID),
	})
	if err != nil {
		if IsNotFound(err) {
			return nil, ErrNotFound
		}
		return nil, err
	}
	if res == nil || *res == nil {
		return Meta{}, nil
	}
	b, err := json.Marshal(*res)
	if err != nil {
		return nil, err
	}
	var m Meta
	err = json.Unmarshal(b, &m)
	return m, err
}

// Page returns one page of keys under prefix and the cursor of the next
// page ("" when there is none).
func (n *Namespace) Page(ctx context.Context, prefix, cursor string, limit int) ([]kv.Key, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(n.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	res, err := n.api.KV.Namespaces.Keys.List(ctx, n.id, params)
	if err != nil {
		return nil, "", fmt.Errorf("cfkv: list %s: %w", prefix, err)
	}
	return res.Result, res.ResultInfo.Cursor, nil
}

// Walk calls fn for each key under prefix, for at most MaxPages pages.
func (n *Namespace) Walk(ctx context.Context, prefix string, fn func(key string, meta Meta) error) error {
	maxPages := n.MaxPages
	if maxPages <= 0 {
		maxPages = 50
	}
	cursor := ""
	for page := 0; page < maxPages; page++ {
		keys, next, err := n.Page(ctx, prefix, cursor, 1000)
		if err != nil {
			return err
		}
		for _, k := range keys {
			m, _ := k.Metadata.(map[string]any)
			if err := fn(k.Name, m); err != nil {
				if errors.Is(err, ErrStop) {
					return nil
				}
				return err
			}
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
	return nil
}

// Keys returns the names of all keys under prefix.
func (n *Namespace) Keys(ctx context.Context, prefix string) ([]string, error) {
	var names []string
	cursor := ""
	for {
		keys, next, err := n.Page(ctx, prefix, cursor, 1000) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			names = append(names, k.Name)
		}
		if next == "" {
			return names, nil
		}
		cursor = next
	}
}

// Entry is one pair of a bulk write.
type Entry struct {
	Key   string
	Value string
	TTL   time.Duration
	Meta  Meta
}

// bulkMax is the largest batch the bulk endpoint accepts.
const bulkMax = 10000

// BulkPut writes entries in batches of at most bulkMax pairs.
func (n *Namespace) BulkPut(ctx context.Context, entries []Entry) error {
	for start := 0; start < len(entries); start += bulkMax {
		end := min(start+bulkMax, len(entries))
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, end-start)
		for _, e := range entries[start:end] {
			item := kv.NamespaceBulkUpdateParamsBody{
				Key:   cloudflare.F(e.Key),
				Value: cloudflare.F(e.Value),
			}
			if e.TTL > 0 {
				item.ExpirationTTL = cloudflare.F(max(e.TTL, time.Minute).Seconds())
			}
			if e.Meta != nil {
				item.Metadata = cloudflare.F[any](e.Meta)
			}
			body = append(body, item)
		}
		res, err := n.api.KV.Namespaces.BulkUpdate(ctx, n.id, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(n.accountID),
			Body:      body,
		})
		if err != nil {
			return fmt.Errorf("cfkv: bulk put: %w", err)
		}
		if len(res.UnsuccessfulKeys) > 0 {
			return fmt.Errorf("cfkv: bulk put: %d keys failed, first %s", len(res.UnsuccessfulKeys), res.UnsuccessfulKeys[0])
		}
	}
	return nil
}

// BulkGet reads up to 100 keys per request and returns the text values of
// those that exist.
func (n *Namespace) BulkGet(ctx context.Context, keys []string) (map[string]string, error) {
	out := make(map[string]string, len(keys))
	for start := 0; start < len(keys); start += 100 {
		end := min(start+100, len(keys))
		res, err := n.api.KV.Namespaces.BulkGet(ctx, n.id, kv.NamespaceBulkGetParams{
			AccountID: cloudflare.F(n.accountID),
			Keys:      cloudflare.F(keys[start:end]),
			Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
		})
		if err != nil {
			return nil, fmt.Errorf("cfkv: bulk get: %w", err)
		}
		plain, ok := res.AsUnion().(kv.NamespaceBulkGetResponseWorkersKVBulkGetResult)
		if !ok {
			continue
		}
		for k, v := range plain.Values {
			if s, ok := v.(shared.UnionString); ok {
				out[k] = string(s)
			}
		}
	}
	return out, nil
}
