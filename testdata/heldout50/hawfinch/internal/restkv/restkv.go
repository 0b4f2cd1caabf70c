// Package restkv is the backend's access to Workers KV over the Cloudflare
// API. It mirrors edgekv: a Scope is a namespace plus a key prefix.
package restkv

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
)

// ErrNotFound is returned by Get for a key that does not exist.
var ErrNotFound = errors.New("restkv: key not found")

// BulkMax is the most pairs one bulk write accepts.
const BulkMax = 10_000

// Namespace is one KV namespace in one account.
type Namespace struct {
	API       *kv.NamespaceService
	AccountID string
	ID        string
}

// Scope is a namespace seen through a key prefix.
type Scope struct {
	ns     *Namespace
	prefix string
}

// Root returns the unprefixed scope of ns.
func Root(ns *Namespace) Scope { return Scope{ns: ns} }

// Scope returns a narrower scope: name and each id become one more segment.
func (s Scope) Scope(name string, ids ...string) Scope {
	p := s.prefix + name + ":"
	for _, id := range ids {
		p += id + ":"
	}
	return Scope{ns: s.ns, prefix: p}
}

func (s Scope) Prefix() string         { return s.prefix }
func (s Scope) Key(name string) string { return s.prefix + name }
func (s Scope) Namespace() *Namespace  { return s.ns }

// IsNotFound reports whether err is the API's 404 for a missing key.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Get returns the value of name, or ErrNotFound.
func (s Scope) Get(ctx context.Context, name string) ([]byte, error) {
	res, err := s.ns.API.Values.Get(ctx, s.ns.ID, s.Key(name), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.ns.AccountID),
	})
	if IsNotFound(err) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Put writes value under name with no expiry.
func (s Scope) Put(ctx context.Context, name string, value []byte) error {
	_, err := s.ns.API.Values.Update(ctx, s.ns.ID, s.Key(name), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.ns.AccountID),
		Metadata:  cloudflare.F("{}"),
		Value:     cloudflare.F(string(value)),
	})
	return err
}

// PutTTL writes value under name so that it expires after ttl.
func (s Scope) PutTTL(ctx context.Context, name string, value []byte, ttl time.Duration) error {
	return s.PutMany(ctx, []Item{{Name: name, Value: string(value), TTL: ttl}})
}

// Item is one pair of a bulk write.
type Item struct {
	Name     string
	Value    string
	TTL      time.Duration
	Metadata map[string]any
}

// PutMany writes items in bulk requests of at most BulkMax pairs.
func (s Scope) PutMany(ctx context.Context, items []Item) error {
	for batch := range slices.Chunk(items, BulkMax) {
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(batch))
		for _, it := range batch {
			b := kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F(s.Key(it.Name)), Value: cloudflare.F(it.Value)}
			if it.TTL > 0 {
				b.ExpirationTTL = cloudflare.F(it.TTL.Seconds())
			}
			if it.Metadata != nil {
				b.Metadata = cloudflare.F(it.Metadata)
			}
			body = append(body, b)
		}
		_, err := s.ns.API.Bulk.Update(ctx, s.ns.ID, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(s.ns.AccountID),
			Body:      body,
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Delete removes name.
func (s Scope) Delete(ctx context.Context, name string) error {
	_, err := s.ns.API.Values.Delete(ctx, s.ns.ID, s.Key(name), kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.ns.AccountID),
	})
	return err
}

// Page lists one page of keys under the scope and returns the next cursor,
// which is empty after the last page.
func (s Scope) Page(ctx context.Context, cursor string, limit int) ([]kv.Key, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.ns.AccountID),
		Prefix:    cloudflare.F(s.prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := s.ns.API.Keys.List(ctx, s.ns.ID, params)
	if err != nil {
		return nil, "", err
	}
	return page.Result, page.ResultInfo.Cursor, nil
}
