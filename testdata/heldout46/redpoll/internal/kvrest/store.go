//go:build !js

// Package kvrest is the backend's adapter over the Cloudflare REST API for
// Workers KV. The Worker reads the same namespace through its binding.
package kvrest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
	"github.com/cloudflare/cloudflare-go/v3/option"

	"github.com/redpoll-jobs/redpoll/internal/config"
)

// Store reads and writes one KV namespace.
type Store struct {
	api     *cloudflare.Client
	account string
	ns      string
}

// New builds a Store from cfg.
func New(cfg config.Config) *Store {
	api := cloudflare.NewClient(
		option.WithAPIToken(cfg.APIToken),
		option.WithMaxRetries(3),
		option.WithRequestTimeout(20*time.Second),
	)
	return &Store{api: api, account: cfg.AccountID, ns: cfg.NamespaceID}
}

// IsNotFound reports whether err is the API's 404 for a missing key.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Get returns the raw value stored at key.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := s.api.KV.Namespaces.Values.Get(ctx, s.ns, url.PathEscape(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.account),
	})
	if err != nil {
		return nil, fmt.Errorf("kvrest: get %s: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Lookup is Get with a missing key reported as ok == false.
func (s *Store) Lookup(ctx context.Context, key string) (val []byte, ok bool, err error) {
	val, err = s.Get(ctx, key)
	if IsNotFound(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return val, true, nil
}

// Put writes value at key. A zero ttl stores the value without expiry.
func (s *Store) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	var opts []option.RequestOption
	if ttl > 0 {
		opts = append(opts, option.WithQuery("expiration_ttl", strconv.Itoa(int(ttl.Seconds()))))
	}
	_, err := s.api.KV.Namespaces.Values.Update(ctx, s.ns, url.PathEscape(key), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.account),
		Value:     cloudflare.F(string(value)),
		Metadata:  cloudflare.F("{}"),
	}, opts...)
	if err != nil {
		return fmt.Errorf("kvrest: put %s: %w", key, err)
	}
	return nil
}

// PutCached writes a cache entry. Cache lifetimes come from callers that
// compute them, so they are floored at KV's one-minute minimum here.
func (s *Store) PutCached(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.Put(ctx, key, value, ttl)
}

// PutUntil writes value so that it expires at the absolute time at.
func (s *Store) PutUntil(ctx context.Context, key string, value []byte, at time.Time) error {
	_, err := s.api.KV.Namespaces.Values.Update(ctx, s.ns, url.PathEscape(key), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.account),
		Value:     cloudflare.F(string(value)),
		Metadata:  cloudflare.F("{}"),
	}, option.WithQuery("expiration", strconv.FormatInt(at.Unix(), 10)))
	return err
}

// PutMeta writes a value with a metadata document attached.
func (s *Store) PutMeta(ctx context.Context, key string, value []byte, meta string) error {
	_, err := s.api.KV.Namespaces.Values.Update(ctx, s.ns, url.PathEscape(key), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.account),
		Value:     cloudflare.F(string(value)),
		Metadata:  cloudflare.F(meta),
	})
	return err
}

// Delete removes key.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.api.KV.Namespaces.Values.Delete(ctx, s.ns, url.PathEscape(key), kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.account),
	})
	if IsNotFound(err) {
		return nil
	}
	return err
}

// Page returns one page of keys under prefix starting at cursor, and the
// cursor of the next page ("" when there is none).
func (s *Store) Page(ctx context.Context, prefix, cursor string, limit int) ([]kv.Key, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.account),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := s.api.KV.Namespaces.Keys.List(ctx, s.ns, params)
	if err != nil {
		return nil, "", err
	}
	return page.Result, page.ResultInfo.Cursor, nil
}
