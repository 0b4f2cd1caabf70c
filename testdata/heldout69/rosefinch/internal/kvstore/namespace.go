// Package kvstore is the platform team's thin adapter over the Workers KV
// REST API (cloudflare-go v4). The Vault secrets engine and the CoreDNS plugin
// both talk to KV through it; the edge Worker uses the runtime binding instead.
package kvstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/cloudflare/cloudflare-go/v4/option"
)

// ErrNotFound is returned by Get when the key does not exist (HTTP 404).
var ErrNotFound = errors.New("kvstore: key not found")

// MaxBulkPairs is the largest number of pairs the bulk endpoint accepts.
const MaxBulkPairs = 10_000

// Namespace addresses one KV namespace in one account.
type Namespace struct {
	Client    *cloudflare.Client
	AccountID string
	ID        string
}

// Open builds a Namespace from an API token.
func Open(token, accountID, namespaceID string) *Namespace {
	client := cloudflare.NewClient(
		option.WithAPIToken(token),
		option.WithMaxRetries(3),
		option.WithRequestTimeout(10*time.Second),
	)
	return &Namespace{Client: client, AccountID: accountID, ID: namespaceID}
}

// Get returns the raw value stored at key, or ErrNotFound.
func (n *Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := n.Client.KV.Namespaces.Values.Get(ctx, n.ID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(n.AccountID),
	})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kvstore: get %q: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// GetJSON decodes the JSON value at key into v.
func (n *Namespace) GetJSON(ctx context.Context, key string, v any) error {
	raw, err := n.Get(ctx, key)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

// Put writes value under key. A zero ttl stores the value without expiry.
func (n *Namespace) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.AccountID),
		Value:     cloudflare.F(string(value)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	if _, err := n.Client.KV.Namespaces.Values.Update(ctx, n.ID, key, params); err != nil {
		return fmt.Errorf("kvstore: put %q: %w", key, err)
	}
	return nil
}

// PutJSON encodes v and writes it under key.
func (n *Namespace) PutJSON(ctx context.Context, key string, v any, ttl time.Duration) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return n.Put(ctx, key, raw, ttl)
}

// PutCached writes a cache entry. Cache lifetimes are advisory, so anything
// shorter than the platform minimum is raised to one minute.
func (n *Namespace) PutCached(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return n.Put(ctx, key, value, ttl)
}

// PutUntil writes value with an absolute expiry.
func (n *Namespace) PutUntil(ctx context.Context, key string, value []byte, at time.Time) error {
	_, err := n.Client.KV.Namespaces.Values.Update(ctx, n.ID, key, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(n.AccountID),
		Value:      cloudflare.F(string(value)),
		Expiration: cloudflare.F(float64(at.Unix())),
	})
	return err
}

// Delete removes key. Deleting a missing key is not an error.
func (n *Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.Client.KV.Namespaces.Values.Delete(ctx, n.ID, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(n.AccountID),
	})
	return err
}

// Page returns one page of keys under prefix and the cursor of the next page
// ("" when there is none).
func (n *Namespace) Page(ctx context.Context, prefix, cursor string, limit int) ([]kv.Key, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(n.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(min(max(limit, 10), 1000))),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := n.Client.KV.Namespaces.Keys.List(ctx, n.ID, params)
	if err != nil {
		return nil, "", err
	}
	return page.Result, page.ResultInfo.Cursor, nil
}

// Keys collects at most maxKeys keys under prefix.
func (n *Namespace) Keys(ctx context.Context, prefix string, maxKeys int) ([]kv.Key, error) {
	var out []kv.Key
	cursor := ""
	for len(out) < maxKeys {
		keys, next, err := n.Page(ctx, prefix, cursor, 1000)
		if err != nil {
			return out, err
		}
		out = append(out, keys...)
		if next == "" {
			break
		}
		cursor = next
	}
	return out, nil
}

// Entry is one pair of a bulk write.
type Entry struct {
	Key      string
	Value    string
	TTL      time.Duration
	Metadata any
}

// BulkPut writes entries in requests of at most MaxBulkPairs pairs.
func (n *Namespace) BulkPut(ctx context.Context, entries []Entry) error {
	for start := 0; start < len(entries); start += MaxBulkPairs {
		end := min(start+MaxBulkPairs, len(entries))
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, end-start)
		for _, e := range entries[start:end] {
			item := kv.NamespaceBulkUpdateParamsBody{
				Key:   cloudflare.F(e.Key),
				Value: cloudflare.F(e.Value),
			}
			if e.TTL > 0 {
				item.ExpirationTTL = cloudflare.F(max(e.TTL, time.Minute).Seconds())
			}
			if e.Metadata != nil {
				item.Metadata = cloudflare.F(e.Metadata)
			}
			body = append(body, item)
		}
		if _, err := n.Client.KV.Namespaces.BulkUpdate(ctx, n.ID, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(n.AccountID),
			Body:      body,
		}); err != nil {
			return fmt.Errorf("kvstore: bulk put [%d:%d]: %w", start, end, err)
		}
	}
	return nil
}

// Update applies fn to the current value at key (nil when missing) and writes
// the result back.
func (n *Namespace) Update(ctx context.Context, key string, ttl time.Duration, fn func(old []byte) ([]byte, error)) error {
	old, err := n.Get(ctx, key)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	next, err := fn(old)
	if err != nil {
		return err
	}
	return n.Put(ctx, key, next, ttl) // EXPECT kvrace
}

// Incr adds delta to the decimal integer stored at key and returns the result.
func (n *Namespace) Incr(ctx context.Context, key string, delta int64, ttl time.Duration) (int64, error) {
	var cur int64
	raw, err := n.Get(ctx, key)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return 0, err
	default:
		if cur, err = strconv.ParseInt(string(raw), 10, 64); err != nil {
			return 0, fmt.Errorf("kvstore: %q is not a counter: %w", key, err)
		}
	}
	cur += delta
	return cur, n.Put(ctx, key, []byte(strconv.FormatInt(cur, 10)), ttl) // EXPECT kvcounter|kvrace
}
