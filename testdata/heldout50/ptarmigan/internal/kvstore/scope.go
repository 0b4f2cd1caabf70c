// Package kvstore is the backend's access to the Workers KV namespace over the
// Cloudflare REST API.
//
// A Scope is a namespace plus a key prefix. Scopes are cheap values; code
// narrows them as it learns more about what it is storing:
//
//	shows := root.Scope("show", showID)
//	listing := shows.Scope("listing")
//	listing.Put(ctx, "page-1", body, time.Hour)
package kvstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
)

// ErrNotFound is returned by Get when the key does not exist.
var ErrNotFound = errors.New("kvstore: key not found")

// Scope is a view of one KV namespace restricted to keys under a prefix.
type Scope struct {
	ns        *kv.NamespaceService
	accountID string
	nsID      string
	prefix    string
}

// Open returns the root scope of the namespace.
func Open(client *cloudflare.Client, accountID, namespaceID string) Scope {
	return Scope{ns: client.KV.Namespaces, accountID: accountID, nsID: namespaceID}
}

// Scope returns a narrower scope; each part becomes one key segment.
func (s Scope) Scope(parts ...string) Scope {
	n := s
	for _, p := range parts {
		n.prefix += p + ":"
	}
	return n
}

// Key returns the full key for name in this scope.
func (s Scope) Key(name string) string { return s.prefix + name }

// Prefix returns the scope's key prefix, including the trailing separator.
func (s Scope) Prefix() string { return s.prefix }

// Name strips the scope prefix from a full key.
func (s Scope) Name(key string) string { return strings.TrimPrefix(key, s.prefix) }

// IsNotFound reports whether err is a 404 from the KV API.
func IsNotFound(err error) bool {
	if errors.Is(err, ErrNotFound) {
		return true
	}
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Get reads the value stored under name.
func (s Scope) Get(ctx context.Context, name string) ([]byte, error) {
	res, err := s.ns.Values.Get(ctx, s.nsID, s.Key(name), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil {
		if IsNotFound(err) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kvstore: get %q: %w", s.Key(name), err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Put stores value under name. A zero ttl keeps the value until it is
// overwritten or deleted.
func (s Scope) Put(ctx context.Context, name string, value []byte, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F(string(value)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(float64(int(ttl.Seconds())))
	}
	if _, err := s.ns.Values.Update(ctx, s.nsID, s.Key(name), params); err != nil {
		return fmt.Errorf("kvstore: put %q: %w", s.Key(name), err)
	}
	return nil
}

// Cache stores a derived value that can be rebuilt at any time. Lifetimes
// under KV's one-minute minimum are rounded up.
func (s Scope) Cache(ctx context.Context, name string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.Put(ctx, name, value, ttl)
}

// PutWithMetadata stores value and a metadata object under name.
func (s Scope) PutWithMetadata(ctx context.Context, name string, value []byte, meta map[string]any, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F(string(value)),
		Metadata:  cloudflare.F[any](meta),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	_, err := s.ns.Values.Update(ctx, s.nsID, s.Key(name), params)
	return err
}

// Delete removes name. Deleting a missing key is not an error.
func (s Scope) Delete(ctx context.Context, name string) error {
	_, err := s.ns.Values.Delete(ctx, s.nsID, s.Key(name), kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("kvstore: delete %q: %w", s.Key(name), err)
	}
	return nil
}

// ListPage returns one page of names under the scope and the cursor for the
// next page ("" when there is none).
func (s Scope) ListPage(ctx context.Context, cursor string, limit int) ([]string, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.accountID),
		Prefix:    cloudflare.F(s.prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := s.ns.Keys.List(ctx, s.nsID, params)
	if err != nil {
		return nil, "", fmt.Errorf("kvstore: list %q: %w", s.prefix, err)
	}
	names := make([]string, 0, len(page.Result))
	for _, k := range page.Result {
		names = append(names, s.Name(k.Name))
	}
	return names, page.ResultInfo.Cursor, nil
}

// Names returns every name under the scope.
func (s Scope) Names(ctx context.Context) ([]string, error) {
	var all []string
	cursor := ""
	for {
		names, next, err := s.ListPage(ctx, cursor, 1000) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		all = append(all, names...)
		if next == "" {
			return all, nil
		}
		cursor = next
	}
}

// Entry is one pair of a bulk write.
type Entry struct {
	Name  string
	Value []byte
	TTL   time.Duration
}

// BulkPut writes entries in one request. The REST API accepts at most
// 10,000 pairs per call; callers batch.
func (s Scope) BulkPut(ctx context.Context, entries []Entry) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(entries))
	for _, e := range entries {
		b := kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(s.Key(e.Name)),
			Value: cloudflare.F(string(e.Value)),
		}
		if e.TTL > 0 {
			b.ExpirationTTL = cloudflare.F(e.TTL.Seconds())
		}
		body = append(body, b)
	}
	res, err := s.ns.BulkUpdate(ctx, s.nsID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Body:      body,
	})
	if err != nil {
		return fmt.Errorf("kvstore: bulk put under %q: %w", s.prefix, err)
	}
	if len(res.UnsuccessfulKeys) > 0 {
		return fmt.Errorf("kvstore: bulk put under %q: %d keys failed", s.prefix, len(res.UnsuccessfulKeys))
	}
	return nil
}

// BulkDelete removes up to 10,000 names in one request.
func (s Scope) BulkDelete(ctx context.Context, names []string) error {
	keys := make([]string, len(names))
	for i, n := range names {
		keys[i] = s.Key(n)
	}
	_, err := s.ns.BulkDelete(ctx, s.nsID, kv.NamespaceBulkDeleteParams{
		AccountID: cloudflare.F(s.accountID),
		Body:      keys,
	})
	return err
}
