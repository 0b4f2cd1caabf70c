package kvstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/option"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// NewClient builds the REST client shared by the adapter and by the packages
// that talk to the SDK directly.
func NewClient(token, baseURL string) *cloudflare.Client {
	opts := []option.RequestOption{option.WithAPIToken(token), option.WithHTTPClient(httpClient()), option.WithMaxRetries(2)}
	if baseURL != "" {
		opts = append(opts, option.WithBaseURL(baseURL))
	}
	return cloudflare.NewClient(opts...)
}

// Namespace adapts one Workers KV namespace to the Store port.
type Namespace struct {
	client    *cloudflare.Client
	accountID string
	id        string
	log       *slog.Logger
}

var _ Store = (*Namespace)(nil)

// NewNamespace returns a Store backed by the namespace id.
func NewNamespace(client *cloudflare.Client, accountID, id string, log *slog.Logger) *Namespace {
	return &Namespace{client: client, accountID: accountID, id: id, log: log.With("kv_namespace", id)}
}

// IsNotFound reports whether err is the API's answer for a missing key.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

func (n *Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	resp, err := n.client.KV.Namespaces.Values.Get(ctx, n.id, url.PathEscape(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(n.accountID),
	})
	if IsNotFound(err) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("kv get %q: %w", key, err)
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

func (n *Namespace) Put(ctx context.Context, key string, value []byte, opts ...PutOption) error {
	cfg := Options(opts)
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	if cfg.TTL > 0 {
		params.ExpirationTTL = cloudflare.F(float64(int64(cfg.TTL / time.Second)))
	}
	if !cfg.ExpireAt.IsZero() {
		params.Expiration = cloudflare.F(float64(cfg.ExpireAt.Unix()))
	}
	if cfg.Metadata != nil {
		params.Metadata = cloudflare.F[any](cfg.Metadata)
	}
	if _, err := n.client.KV.Namespaces.Values.Update(ctx, n.id, url.PathEscape(key), params); err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	n.log.DebugContext(ctx, "kv put", "key", key, "bytes", len(value))
	return nil
}

func (n *Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.client.KV.Namespaces.Values.Delete(ctx, n.id, url.PathEscape(key), kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(n.accountID),
	})
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("kv delete %q: %w", key, err)
	}
	return nil
}

func (n *Namespace) List(ctx context.Context, q ListQuery) (Page, error) {
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(n.accountID), Prefix: cloudflare.F(q.Prefix)}
	if q.Cursor != "" {
		params.Cursor = cloudflare.F(q.Cursor)
	}
	if q.Limit > 0 {
		params.Limit = cloudflare.F(float64(q.Limit))
	}
	res, err := n.client.KV.Namespaces.Keys.List(ctx, n.id, params)
	if err != nil {
		return Page{}, fmt.Errorf("kv list %q: %w", q.Prefix, err)
	}
	page := Page{Cursor: res.ResultInfo.Cursor, Complete: res.ResultInfo.Cursor == ""}
	for _, k := range res.Result {
		info := KeyInfo{Name: k.Name}
		if k.Expiration > 0 {
			info.Expiration = time.Unix(int64(k.Expiration), 0)
		}
		info.Metadata, _ = k.Metadata.(map[string]any)
		page.Keys = append(page.Keys, info)
	}
	return page, nil
}
