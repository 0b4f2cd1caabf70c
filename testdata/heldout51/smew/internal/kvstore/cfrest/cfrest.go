// Package cfrest serves kv://<namespace-id> DSNs in the back office through
// the Cloudflare REST API.
package cfrest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/smew/internal/kvstore"
)

const (
	// minTTL is the shortest expiration the API accepts.
	minTTL = 60 * time.Second
	// bulkMax is the number of pairs one bulk request may carry.
	bulkMax = 10_000
)

// Store is a kvstore.Store for one namespace. It implements every optional
// capability.
type Store struct {
	ns          *kv.NamespaceService
	accountID   string
	namespaceID string
}

// Opener returns the opener to register for the kv scheme.
func Opener(client *cloudflare.Client, accountID string) kvstore.Opener {
	return func(_ context.Context, u *url.URL) (kvstore.Store, error) {
		if u.Host == "" {
			return nil, errors.New("cfrest: kv:// DSN needs a namespace id")
		}
		return &Store{ns: client.KV.Namespaces, accountID: accountID, namespaceID: u.Host}, nil
	}
}

// IsNotFound reports whether err is the API's answer for a missing key.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

func ttlSeconds(ttl time.Duration) float64 {
	if ttl < minTTL {
		ttl = minTTL
	}
	return ttl.Seconds()
}

// Get implements kvstore.Store.
func (s *Store) Get(ctx context.Context, key string) (kvstore.Optional[[]byte], error) {
	resp, err := s.ns.Values.Get(ctx, s.namespaceID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil {
		if IsNotFound(err) {
			return kvstore.None[[]byte](), nil
		}
		return kvstore.None[[]byte](), fmt.Errorf("cfrest: get %q: %w", key, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return kvstore.None[[]byte](), err
	}
	return kvstore.Some(body), nil
}

// Put implements kvstore.Store.
func (s *Store) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(s.accountID), Value: cloudflare.F(string(value))}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttlSeconds(ttl))
	}
	if _, err := s.ns.Values.Update(ctx, s.namespaceID, key, params); err != nil {
		return fmt.Errorf("cfrest: put %q: %w", key, err)
	}
	return nil
}

// Delete implements kvstore.Store.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.ns.Values.Delete(ctx, s.namespaceID, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("cfrest: delete %q: %w", key, err)
	}
	return nil
}

// PutMany implements kvstore.BatchWriter, splitting entries into requests
// of at most bulkMax pairs.
func (s *Store) PutMany(ctx context.Context, entries []kvstore.Entry) error {
	for start := 0; start < len(entries); start += bulkMax {
		end := min(start+bulkMax, len(entries))
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, end-start)
		for _, e := range entries[start:end] {
			item := kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F(e.Key), Value: cloudflare.F(string(e.Value))}
			if e.TTL > 0 {
				item.ExpirationTTL = cloudflare.F(ttlSeconds(e.TTL))
			}
			body = append(body, item)
		}
		res, err := s.ns.BulkUpdate(ctx, s.namespaceID, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(s.accountID), Body: body})
		if err != nil {
			return fmt.Errorf("cfrest: bulk update: %w", err)
		}
		if len(res.UnsuccessfulKeys) > 0 {
			return fmt.Errorf("cfrest: bulk update: %d keys not written", len(res.UnsuccessfulKeys))
		}
	}
	return nil
}

// DeleteMany implements kvstore.BatchDeleter.
func (s *Store) DeleteMany(ctx context.Context, keys []string) error {
	for start := 0; start < len(keys); start += bulkMax {
		end := min(start+bulkMax, len(keys))
		_, err := s.ns.BulkDelete(ctx, s.namespaceID, kv.NamespaceBulkDeleteParams{
			AccountID: cloudflare.F(s.accountID),
			Body:      keys[start:end],
		})
		if err != nil {
			return fmt.Errorf("cfrest: bulk delete: %w", err)
		}
	}
	return nil
}

// List implements kvstore.Lister and returns a single page.
func (s *Store) List(ctx context.Context, opts kvstore.ListOptions) (kvstore.Page, error) {
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(s.accountID)}
	if opts.Prefix != "" {
		params.Prefix = cloudflare.F(opts.Prefix)
	}
	if opts.Cursor != "" {
		params.Cursor = cloudflare.F(opts.Cursor)
	}
	if opts.Limit > 0 {
		params.Limit = cloudflare.F(float64(min(max(opts.Limit, 10), 1000)))
	}
	res, err := s.ns.Keys.List(ctx, s.namespaceID, params)
	if err != nil {
		return kvstore.Page{}, fmt.Errorf("cfrest: list %q: %w", opts.Prefix, err)
	}
	page := kvstore.Page{Cursor: res.ResultInfo.Cursor, Complete: res.ResultInfo.Cursor == ""}
	for _, k := range res.Result {
		info := kvstore.KeyInfo{Name: k.Name, Expiration: int64(k.Expiration)}
		if m, ok := k.Metadata.(map[string]any); ok {
			info.Metadata = m
		}
		page.Keys = append(page.Keys, info)
	}
	return page, nil
}
