// Package cfv4 adapts the cloudflare-go v4 client to storage.Store.
package cfv4

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
	"github.com/cloudflare/cloudflare-go/v4/shared"

	"example.com/petrel/internal/cfv4/kvparams"
	"example.com/petrel/internal/storage"
)

var _ storage.Store = (*Adapter)(nil)

// maxValueBytes is the largest value KV stores (25 MiB).
const maxValueBytes = 25 << 20

// maxBulkGet is the most keys one bulk read accepts.
const maxBulkGet = 100

type Adapter struct {
	client    *cloudflare.Client
	account   string
	namespace string
	timeout   time.Duration
}

type Config struct {
	APIToken    string
	AccountID   string
	NamespaceID string
	Timeout     time.Duration
	MaxRetries  int
}

func New(cfg Config) (*Adapter, error) {
	if cfg.AccountID == "" || cfg.NamespaceID == "" {
		return nil, errors.New("cfv4: account and namespace are required")
	}
	opts := []option.RequestOption{option.WithMaxRetries(cfg.MaxRetries)}
	if cfg.APIToken != "" {
		opts = append(opts, option.WithAPIToken(cfg.APIToken))
	}
	return &Adapter{
		client:    cloudflare.NewClient(opts...),
		account:   cfg.AccountID,
		namespace: cfg.NamespaceID,
		timeout:   cfg.Timeout,
	}, nil
}

func (a *Adapter) Client() (*cloudflare.Client, string, string) {
	return a.client, a.account, a.namespace
}

func (a *Adapter) callCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	if a.timeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, a.timeout)
}

// IsMissing reports whether err is the API's 404 for a key.
func IsMissing(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

func (a *Adapter) Get(ctx context.Context, key string) ([]byte, error) {
	b, err := a.GetRaw(ctx, key)
	if err != nil {
		if IsMissing(err) {
			return nil, &storage.NotFoundError{Key: key}
		}
		return nil, fmt.Errorf("cfv4: get %q: %w", key, err)
	}
	return b, nil
}

// GetRaw reads a value and returns the SDK's error unchanged.
func (a *Adapter) GetRaw(ctx context.Context, key string) ([]byte, error) {
	ctx, cancel := a.callCtx(ctx)
	defer cancel()
	res, err := a.client.KV.Namespaces.Values.Get(ctx, a.namespace, url.PathEscape(key), kvparams.Get(a.account))
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(io.LimitReader(res.Body, maxValueBytes))
}

func (a *Adapter) Put(ctx context.Context, key string, value []byte, o storage.PutOptions) error {
	if len(value) > maxValueBytes {
		return fmt.Errorf("cfv4: value for %q is %d bytes", key, len(value))
	}
	w := kvparams.Write{Body: value, TTL: o.TTL, Metadata: o.Metadata}
	if o.Expiration > 0 {
		w.At = time.Unix(o.Expiration, 0)
	}
	ctx, cancel := a.callCtx(ctx)
	defer cancel()
	_, err := a.client.KV.Namespaces.Values.Update(ctx, a.namespace, url.PathEscape(key), kvparams.Value(a.account, w))
	if err != nil {
		return fmt.Errorf("cfv4: put %q: %w", key, err)
	}
	return nil
}

// Delete implements storage.Store. Deleting a missing key is not an error.
func (a *Adapter) Delete(ctx context.Context, key string) error {
	ctx, cancel := a.callCtx(ctx)
	defer cancel()
	_, err := a.client.KV.Namespaces.Values.Delete(ctx, a.namespace, url.PathEscape(key), kvparams.Delete(a.account))
	if err != nil && !IsMissing(err) {
		return fmt.Errorf("cfv4: delete %q: %w", key, err)
	}
	return nil
}

// List implements storage.Store with a single page.
func (a *Adapter) List(ctx context.Context, q storage.ListQuery) (storage.Page, error) {
	limit := q.Limit
	if limit == 0 {
		limit = 1000
	}
	ctx, cancel := a.callCtx(ctx)
	defer cancel()
	res, err := a.client.KV.Namespaces.Keys.List(ctx, a.namespace, kvparams.Keys(a.account, q.Prefix, q.Cursor, limit))
	if err != nil {
		return storage.Page{}, fmt.Errorf("cfv4: list %q: %w", q.Prefix, err)
	}
	p := storage.Page{
		Keys:     make([]storage.KeyInfo, 0, len(res.Result)),
		Cursor:   res.ResultInfo.Cursor,
		Complete: res.ResultInfo.Cursor == "",
	}
	for _, k := range res.Result {
		p.Keys = append(p.Keys, keyInfo(k))
	}
	return p, nil
}

func keyInfo(k kv.Key) storage.KeyInfo {
	return storage.KeyInfo{Name: k.Name, Expiration: int64(k.Expiration), Metadata: k.Metadata}
}

// BulkGet reads up to any number of text values, maxBulkGet keys per
// request. Keys that do not exist are absent from the result.
func (a *Adapter) BulkGet(ctx context.Context, keys []string) (map[string]string, error) {
	out := make(map[string]string, len(keys))
	for start := 0; start < len(keys); start += maxBulkGet {
		end := start + maxBulkGet
		if end > len(keys) {
			end = len(keys)
		}
		cctx, cancel := a.callCtx(ctx)
		res, err := a.client.KV.Namespaces.BulkGet(cctx, a.namespace, kvparams.BulkGet(a.account, keys[start:end], false))
		cancel()
		if err != nil {
			return nil, fmt.Errorf("cfv4: bulk get: %w", err)
		}
		collectText(res, out)
	}
	return out, nil
}

func collectText(res *kv.NamespaceBulkGetResponse, out map[string]string) {
	plain, ok := res.AsUnion().(kv.NamespaceBulkGetResponseWorkersKVBulkGetResult)
	if !ok {
		return
	}
	for k, v := range plain.Values {
		if s, ok := v.(shared.UnionString); ok {
			out[k] = string(s)
		}
	}
}
