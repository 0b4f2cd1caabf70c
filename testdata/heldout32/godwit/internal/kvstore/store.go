// Package kvstore adapts the Workers KV REST API (cloudflare-go v4) to the
// small surface the godwit services use: single-key reads and writes, one
// page of a listing at a time, and the bulk endpoints.
package kvstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v4"
	cfkv "github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/cloudflare/cloudflare-go/v4/option"
	"github.com/cloudflare/cloudflare-go/v4/shared"
)

// ErrNotFound is returned by Get when the key does not exist (or has expired).
var ErrNotFound = errors.New("kvstore: key not found")

// MaxBulkGet is the largest number of keys the bulk-get endpoint accepts.
const MaxBulkGet = 100

// KeyInfo is one entry of a listing. Listings never carry values.
type KeyInfo struct {
	Name       string
	Expiration time.Time
	Metadata   map[string]any
}

// Page is a single page of a key listing.
type Page struct {
	Keys     []KeyInfo
	Cursor   string
	Complete bool
}

// ListOptions selects a page of keys.
type ListOptions struct {
	Prefix string
	Cursor string
	Limit  int
}

// PutOptions controls expiry and metadata of a write. TTL and ExpireAt are
// mutually exclusive; the API prefers the TTL when both are sent.
type PutOptions struct {
	TTL      time.Duration
	ExpireAt time.Time
	Metadata map[string]any
}

// Store is the subset of KV used by the services.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
	GetMany(ctx context.Context, keys []string) (map[string][]byte, error)
	Put(ctx context.Context, key string, value []byte, opts PutOptions) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, opts ListOptions) (Page, error)
}

// Namespace is a Store backed by one KV namespace.
type Namespace struct {
	client    *cloudflare.Client
	accountID string
	id        string
}

// Open returns a Store for the namespace.
func Open(apiToken, accountID, namespaceID string, opts ...option.RequestOption) *Namespace {
	opts = append([]option.RequestOption{option.WithAPIToken(apiToken), option.WithMaxRetries(2)}, opts...)
	return &Namespace{
		client:    cloudflare.NewClient(opts...),
		accountID: accountID,
		id:        namespaceID,
	}
}

// Client exposes the underlying SDK client for the few callers that need
// endpoints the Store does not wrap.
func (n *Namespace) Client() *cloudflare.Client { return n.client }

// ID is the namespace identifier.
func (n *Namespace) ID() string { return n.id }

// Account is the account identifier.
func (n *Namespace) Account() string { return n.accountID }

// IsNotFound reports whether err is a 404 from the v4 API.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

func (n *Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := n.client.KV.Namespaces.Values.Get(ctx, n.id, url.PathEscape(key), cfkv.NamespaceValueGetParams{
		AccountID: cloudflare.F(n.accountID),
	})
	if err != nil {
		if IsNotFound(err) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kv get %q: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

func (n *Namespace) GetMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	if len(keys) > MaxBulkGet {
		return nil, fmt.Errorf("kv bulk get: %d keys, at most %d", len(keys), MaxBulkGet)
	}
	res, err := n.client.KV.Namespaces.Keys.BulkGet(ctx, n.id, cfkv.NamespaceKeyBulkGetParams{
		AccountID: cloudflare.F(n.accountID),
		Keys:      cloudflare.F(keys),
		Type:      cloudflare.F(cfkv.NamespaceKeyBulkGetParamsTypeText),
	})
	if err != nil {
		return nil, fmt.Errorf("kv bulk get: %w", err)
	}
	out := make(map[string][]byte, len(keys))
	if r, ok := res.AsUnion().(cfkv.NamespaceKeyBulkGetResponseWorkersKVBulkGetResult); ok {
		for k, v := range r.Values {
			if s, ok := v.(shared.UnionString); ok {
				out[k] = []byte(s)
			}
		}
	}
	return out, nil
}

func (n *Namespace) Put(ctx context.Context, key string, value []byte, opts PutOptions) error {
	params := cfkv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.accountID),
		Value:     cloudflare.F(string(value)),
	}
	if opts.TTL > 0 {
		params.ExpirationTTL = cloudflare.F(opts.TTL.Seconds())
	}
	if !opts.ExpireAt.IsZero() {
		params.Expiration = cloudflare.F(float64(opts.ExpireAt.Unix()))
	}
	if opts.Metadata != nil {
		params.Metadata = cloudflare.F[any](opts.Metadata)
	}
	if _, err := n.client.KV.Namespaces.Values.Update(ctx, n.id, url.PathEscape(key), params); err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

func (n *Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.client.KV.Namespaces.Values.Delete(ctx, n.id, url.PathEscape(key), cfkv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(n.accountID),
	})
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("kv delete %q: %w", key, err)
	}
	return nil
}

func (n *Namespace) List(ctx context.Context, opts ListOptions) (Page, error) {
	params := cfkv.NamespaceKeyListParams{AccountID: cloudflare.F(n.accountID)}
	if opts.Prefix != "" {
		params.Prefix = cloudflare.F(opts.Prefix)
	}
	if opts.Cursor != "" {
		params.Cursor = cloudflare.F(opts.Cursor)
	}
	if opts.Limit > 0 {
		params.Limit = cloudflare.F(float64(opts.Limit))
	}
	res, err := n.client.KV.Namespaces.Keys.List(ctx, n.id, params)
	if err != nil {
		return Page{}, fmt.Errorf("kv list %q: %w", opts.Prefix, err)
	}
	page := Page{Cursor: res.ResultInfo.Cursor, Complete: res.ResultInfo.Cursor == ""}
	for _, k := range res.Result {
		info := KeyInfo{Name: k.Name}
		if k.Expiration > 0 {
			info.Expiration = time.Unix(int64(k.Expiration), 0)
		}
		if md, ok := k.Metadata.(map[string]any); ok {
			info.Metadata = md
		}
		page.Keys = append(page.Keys, info)
	}
	return page, nil
}

// MaxBulkWrite is the largest number of pairs one bulk write or bulk delete
// accepts.
const MaxBulkWrite = 10_000
