// Package kvstore adapts the Cloudflare REST API for Workers KV to the key
// types of package keys.
package kvstore

import (
	"context"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"github.com/hoatzin-games/hoatzin/internal/metrics"
)

// ErrNotFound is returned by the read methods when the key does not exist.
var ErrNotFound = errors.New("kvstore: key not found")

// MaxBulk is the number of pairs the bulk endpoint accepts per request.
const MaxBulk = 10_000

// Namespace is one KV namespace reached through the REST API.
type Namespace struct {
	API       *cloudflare.Client
	AccountID string
	ID        string
}

// New returns a Namespace for the given account and namespace IDs.
func New(api *cloudflare.Client, accountID, namespaceID string) *Namespace {
	return &Namespace{API: api, AccountID: accountID, ID: namespaceID}
}

// Name renders a key for the REST path.
func Name(k encoding.TextMarshaler) (string, error) {
	b, err := k.MarshalText()
	if err != nil {
		return "", fmt.Errorf("kvstore: marshal key: %w", err)
	}
	return string(b), nil
}

// Get reads the raw value of k.
func (n *Namespace) Get(ctx context.Context, k encoding.TextMarshaler) ([]byte, error) {
	name, err := Name(k)
	if err != nil {
		return nil, err
	}
	metrics.KVReads.Add(1)
	res, err := n.API.KV.Namespaces.Values.Get(ctx, n.ID, url.PathEscape(name), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(n.AccountID),
	})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			metrics.KVMisses.Add(1)
			return nil, ErrNotFound
		}
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// GetJSON reads k and decodes it into v.
func (n *Namespace) GetJSON(ctx context.Context, k encoding.TextMarshaler, v any) error {
	raw, err := n.Get(ctx, k)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

// Put writes value under k. A zero ttl stores the value without expiry.
func (n *Namespace) Put(ctx context.Context, k encoding.TextMarshaler, value []byte, ttl time.Duration) error {
	name, err := Name(k)
	if err != nil {
		return err
	}
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.AccountID),
		Value:     cloudflare.F(string(value)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	metrics.KVWrites.Add(1)
	_, err = n.API.KV.Namespaces.Values.Update(ctx, n.ID, url.PathEscape(name), params)
	return err
}

// PutJSON encodes v and writes it under k.
func (n *Namespace) PutJSON(ctx context.Context, k encoding.TextMarshaler, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return n.Put(ctx, k, b, ttl)
}

// PutUntil writes value under k with an absolute expiration.
func (n *Namespace) PutUntil(ctx context.Context, k encoding.TextMarshaler, value []byte, at time.Time) error {
	name, err := Name(k)
	if err != nil {
		return err
	}
	metrics.KVWrites.Add(1)
	_, err = n.API.KV.Namespaces.Values.Update(ctx, n.ID, url.PathEscape(name), kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(n.AccountID),
		Value:      cloudflare.F(string(value)),
		Expiration: cloudflare.F(float64(at.Unix())),
	})
	return err
}

// Fill stores a read-through cache entry. Lifetimes under KV's floor are
// raised to one minute.
func (n *Namespace) Fill(ctx context.Context, k encoding.TextMarshaler, v any, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return n.PutJSON(ctx, k, v, ttl)
}

// Delete removes k.
func (n *Namespace) Delete(ctx context.Context, k encoding.TextMarshaler) error {
	name, err := Name(k)
	if err != nil {
		return err
	}
	_, err = n.API.KV.Namespaces.Values.Delete(ctx, n.ID, url.PathEscape(name), kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(n.AccountID),
	})
	return err
}

// Update reads the JSON document under k, lets fn change it and writes it back.
func Update[T any](ctx context.Context, n *Namespace, k encoding.TextMarshaler, ttl time.Duration, fn func(*T) error) (T, error) {
	var doc T
	if err := n.GetJSON(ctx, k, &doc); err != nil && !errors.Is(err, ErrNotFound) {
		return doc, err
	}
	if err := fn(&doc); err != nil {
		return doc, err
	}
	return doc, n.PutJSON(ctx, k, doc, ttl) // EXPECT kvrace
}

// Page returns one page of keys under prefix and the cursor of the next page,
// or "" when the listing is complete.
func (n *Namespace) Page(ctx context.Context, prefix, cursor string, limit int) ([]kv.Key, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(n.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(min(max(limit, 10), 1000))),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := n.API.KV.Namespaces.Keys.List(ctx, n.ID, params)
	if err != nil {
		return nil, "", err
	}
	return page.Result, page.ResultInfo.Cursor, nil
}

// Entry is one pair of a bulk write.
type Entry struct {
	Key   string
	Value string
	TTL   time.Duration
}

// PutMany writes entries with the bulk endpoint, MaxBulk pairs per request.
func (n *Namespace) PutMany(ctx context.Context, entries []Entry) error {
	var errs []error
	for chunk := range slices.Chunk(entries, MaxBulk) {
		body := make([]kv.NamespaceKeyBulkUpdateParamsBody, 0, len(chunk))
		for _, e := range chunk {
			item := kv.NamespaceKeyBulkUpdateParamsBody{Key: cloudflare.F(e.Key), Value: cloudflare.F(e.Value)}
			if e.TTL > 0 {
				item.ExpirationTTL = cloudflare.F(max(e.TTL, time.Minute).Seconds())
			}
			body = append(body, item)
		}
		res, err := n.API.KV.Namespaces.Keys.BulkUpdate(ctx, n.ID, kv.NamespaceKeyBulkUpdateParams{
			AccountID: cloudflare.F(n.AccountID),
			Body:      body,
		})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if len(res.UnsuccessfulKeys) > 0 {
			errs = append(errs, fmt.Errorf("kvstore: %d keys not written", len(res.UnsuccessfulKeys)))
		}
	}
	return errors.Join(errs...)
}

// DeleteMany removes names with the bulk endpoint.
func (n *Namespace) DeleteMany(ctx context.Context, names []string) error {
	for chunk := range slices.Chunk(names, MaxBulk) {
		if _, err := n.API.KV.Namespaces.Keys.BulkDelete(ctx, n.ID, kv.NamespaceKeyBulkDeleteParams{
			AccountID: cloudflare.F(n.AccountID),
			Body:      chunk,
		}); err != nil {
			return err
		}
	}
	return nil
}
