// Package cfkv adapts a Workers KV namespace, reached through the Cloudflare
// REST API, to the kvstore port.
package cfkv

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
	"github.com/cloudflare/cloudflare-go/v4/option"

	"example.com/kiln/internal/kvstore"
)

// Namespace is a kvstore.Store backed by one KV namespace.
type Namespace struct {
	client      *cloudflare.Client
	accountID   string
	namespaceID string
	pageSize    int
}

// New returns a namespace adapter. httpClient may carry auth and metrics
// transports; it is passed straight to the SDK.
func New(accountID, namespaceID, token string, httpClient *http.Client) *Namespace {
	reqOpts := []option.RequestOption{option.WithAPIToken(token)}
	if httpClient != nil {
		reqOpts = append(reqOpts, option.WithHTTPClient(httpClient))
	}
	ns := &Namespace{
		client:      cloudflare.NewClient(reqOpts...),
		accountID:   accountID,
		namespaceID: namespaceID,
		pageSize:    kvstore.MaxListLimit,
	}
	return ns
}

// Client exposes the SDK client for the few callers that need raw access.
func (n *Namespace) Client() *cloudflare.Client { return n.client }

// AccountID returns the account the namespace lives in.
func (n *Namespace) AccountID() string { return n.accountID }

// ID returns the namespace identifier.
func (n *Namespace) ID() string { return n.namespaceID }

func isMissing(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Get reads a value; a missing key is reported as kvstore.ErrNotFound.
func (n *Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := n.client.KV.Namespaces.Values.Get(ctx, n.namespaceID, url.PathEscape(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(n.accountID),
	})
	if isMissing(err) {
		return nil, kvstore.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("cfkv get %q: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Raw returns the SDK response for key without interpreting it. Callers use
// it to read the expiration header.
func (n *Namespace) Raw(ctx context.Context, key string) (*http.Response, error) {
	return n.client.KV.Namespaces.Values.Get(ctx, n.namespaceID, url.PathEscape(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(n.accountID),
	})
}

func (n *Namespace) update(ctx context.Context, key string, params kv.NamespaceValueUpdateParams) error {
	params.AccountID = cloudflare.F(n.accountID)
	_, err := n.client.KV.Namespaces.Values.Update(ctx, n.namespaceID, url.PathEscape(key), params)
	if err != nil {
		return fmt.Errorf("cfkv put %q: %w", key, err)
	}
	return nil
}

// Put stores value with no expiry.
func (n *Namespace) Put(ctx context.Context, key string, value []byte) error {
	return n.update(ctx, key, kv.NamespaceValueUpdateParams{Value: cloudflare.F(string(value))})
}

// PutTTL stores value so that it expires ttl from now.
func (n *Namespace) PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return n.update(ctx, key, kv.NamespaceValueUpdateParams{
		Value:         cloudflare.F(string(value)),
		ExpirationTTL: cloudflare.F(ttl.Seconds()),
	})
}

// PutMeta stores value together with listing metadata.
func (n *Namespace) PutMeta(ctx context.Context, key string, value []byte, meta map[string]any, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		Value:    cloudflare.F(string(value)),
		Metadata: cloudflare.F[any](meta),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	return n.update(ctx, key, params)
}

// Delete removes key. Deleting a missing key is not an error.
func (n *Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.client.KV.Namespaces.Values.Delete(ctx, n.namespaceID, url.PathEscape(key), kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(n.accountID),
	})
	if err != nil && !isMissing(err) {
		return fmt.Errorf("cfkv delete %q: %w", key, err)
	}
	return nil
}

// List returns one page of keys and the cursor to continue from.
func (n *Namespace) List(ctx context.Context, req kvstore.ListRequest) (kvstore.Page, error) {
	limit := req.Limit
	if limit <= 0 || limit > kvstore.MaxListLimit {
		limit = n.pageSize
	}
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(n.accountID),
		Limit:     cloudflare.F(float64(limit)),
	}
	if req.Prefix != "" {
		params.Prefix = cloudflare.F(req.Prefix)
	}
	if req.Cursor != "" {
		params.Cursor = cloudflare.F(req.Cursor)
	}
	res, err := n.client.KV.Namespaces.Keys.List(ctx, n.namespaceID, params)
	if err != nil {
		return kvstore.Page{}, fmt.Errorf("cfkv list %q: %w", req.Prefix, err)
	}
	page := kvstore.Page{Cursor: res.ResultInfo.Cursor, Complete: res.ResultInfo.Cursor == ""}
	for _, k := range res.Result {
		info := kvstore.KeyInfo{Name: k.Name}
		if k.Expiration > 0 {
			info.Expiration = time.Unix(int64(k.Expiration), 0)
		}
		if m, ok := k.Metadata.(map[string]any); ok {
			info.Metadata = m
		}
		page.Keys = append(page.Keys, info)
	}
	return page, nil
}
