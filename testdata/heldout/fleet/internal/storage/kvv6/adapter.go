// Package kvv6 implements the storage ports on top of Workers KV through
// github.com/cloudflare/cloudflare-go/v6.
package kvv6

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/option"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/fleet/internal/storage"
)

// The SDK calls the adapter needs, as function types so tests can swap them.
type (
	updateFunc func(ctx context.Context, namespaceID, keyName string, params kv.NamespaceValueUpdateParams, opts ...option.RequestOption) (*kv.NamespaceValueUpdateResponse, error)
	getFunc    func(ctx context.Context, namespaceID, keyName string, query kv.NamespaceValueGetParams, opts ...option.RequestOption) (*http.Response, error)
	deleteFunc func(ctx context.Context, namespaceID, keyName string, body kv.NamespaceValueDeleteParams, opts ...option.RequestOption) (*kv.NamespaceValueDeleteResponse, error)
	bulkFunc   func(ctx context.Context, namespaceID string, params kv.NamespaceBulkUpdateParams, opts ...option.RequestOption) (*kv.NamespaceBulkUpdateResponse, error)
)

// Config identifies the namespace an Adapter writes to.
type Config struct {
	AccountID   string
	NamespaceID string
	// KeyPrefix is prepended to every key, e.g. "prod/".
	KeyPrefix string
}

// Option customises an Adapter.
type Option func(*Adapter)

// WithLogger sets the logger used for write diagnostics.
func WithLogger(l *slog.Logger) Option { return func(a *Adapter) { a.log = l } }

// WithRequestOptions appends per-request SDK options (timeouts, headers...).
func WithRequestOptions(opts ...option.RequestOption) Option {
	return func(a *Adapter) { a.reqOpts = append(a.reqOpts, opts...) }
}

// Adapter implements storage.BatchStore and storage.Expirer.
type Adapter struct {
	cfg     Config
	log     *slog.Logger
	reqOpts []option.RequestOption

	update updateFunc
	get    getFunc
	del    deleteFunc
	bulk   bulkFunc
}

var (
	_ storage.BatchStore = (*Adapter)(nil)
	_ storage.Expirer    = (*Adapter)(nil)
)

// New wires an Adapter to a cloudflare-go v6 client.
func New(client *cloudflare.Client, cfg Config, opts ...Option) *Adapter {
	a := &Adapter{
		cfg:    cfg,
		log:    slog.Default(),
		update: client.KV.Namespaces.Values.Update,
		get:    client.KV.Namespaces.Values.Get,
		del:    client.KV.Namespaces.Values.Delete,
		bulk:   client.KV.Namespaces.BulkUpdate,
	}
	for _, o := range opts {
		o(a)
	}
	return a
}

func (a *Adapter) key(k string) string {
	// The v6 client interpolates the key into the path verbatim.
	return url.PathEscape(a.cfg.KeyPrefix + k)
}

func (a *Adapter) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := a.get(ctx, a.cfg.NamespaceID, a.key(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(a.cfg.AccountID),
	}, a.reqOpts...)
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return nil, storage.ErrNotFound
		}
		return nil, fmt.Errorf("kv get %q: %w", key, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, fmt.Errorf("kv get %q: read body: %w", key, err)
	}
	return body, nil
}

func (a *Adapter) params(val []byte) kv.NamespaceValueUpdateParams {
	return kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(a.cfg.AccountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(val)),
	}
}

// Set writes val under key. The ttl is passed to KV in whole seconds.
func (a *Adapter) Set(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	params := a.params(val)
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	if _, err := a.update(ctx, a.cfg.NamespaceID, a.key(key), params, a.reqOpts...); err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	a.log.DebugContext(ctx, "kv put", "key", key, "bytes", len(val), "ttl", ttl)
	return nil
}

// SetUntil writes val under key, expiring it at the absolute time at.
func (a *Adapter) SetUntil(ctx context.Context, key string, val []byte, at time.Time) error {
	params := a.params(val)
	params.Expiration = cloudflare.F(float64(at.Unix()))
	if _, err := a.update(ctx, a.cfg.NamespaceID, a.key(key), params, a.reqOpts...); err != nil {
		return fmt.Errorf("kv put %q (until %s): %w", key, at.Format(time.RFC3339), err)
	}
	return nil
}

func (a *Adapter) Delete(ctx context.Context, key string) error {
	_, err := a.del(ctx, a.cfg.NamespaceID, a.key(key), kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(a.cfg.AccountID),
	}, a.reqOpts...)
	var apiErr *cloudflare.Error
	if err != nil && !(errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound) {
		return fmt.Errorf("kv delete %q: %w", key, err)
	}
	return nil
}

// maxBulk is the REST API limit on pairs per bulk request.
const maxBulk = 10_000

// SetMany writes entries with the bulk endpoint, chunked to the API limit.
func (a *Adapter) SetMany(ctx context.Context, entries []storage.Entry) error {
	for start := 0; start < len(entries); start += maxBulk {
		end := min(start+maxBulk, len(entries))
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, end-start)
		for _, e := range entries[start:end] {
			item := kv.NamespaceBulkUpdateParamsBody{
				Key:   cloudflare.F(a.cfg.KeyPrefix + e.Key),
				Value: cloudflare.F(string(e.Value)),
			}
			switch {
			case e.TTL > 0:
				item.ExpirationTTL = cloudflare.F(e.TTL.Seconds())
			case !e.ExpiresAt.IsZero():
				item.Expiration = cloudflare.F(float64(e.ExpiresAt.Unix()))
			}
			body = append(body, item)
		}
		res, err := a.bulk(ctx, a.cfg.NamespaceID, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(a.cfg.AccountID),
			Body:      body,
		}, a.reqOpts...)
		if err != nil {
			return fmt.Errorf("kv bulk put (%d entries): %w", len(body), err)
		}
		if n := len(res.UnsuccessfulKeys); n > 0 {
			return fmt.Errorf("kv bulk put: %d of %d keys not written (first: %s)", n, len(body), res.UnsuccessfulKeys[0])
		}
	}
	return nil
}
