// Package cfkv adapts the Cloudflare REST API (cloudflare-go v5) to the
// kvstore.Store port. A Store spans two namespaces: a hot one for operational
// keys and a cold one with long retention for manifests and audit records.
package cfkv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
	"github.com/cloudflare/cloudflare-go/v5/shared"

	"example.com/sorrel/internal/kvstore"
)

// MaxBulkWrite is the REST API's limit of pairs per bulk write.
const MaxBulkWrite = 10_000

// Config names the account and namespaces.
type Config struct {
	AccountID     string
	HotNamespace  string
	ColdNamespace string
	ColdPrefixes  []string // after KeyPrefix
	KeyPrefix     string
}

// Store is a kvstore.Store over the REST API.
type Store struct {
	api          *cloudflare.Client
	account      string
	hot, cold    string
	coldPrefixes []string
}

// New returns a store using api.
func New(api *cloudflare.Client, cfg Config) *Store {
	s := &Store{api: api, account: cfg.AccountID, hot: cfg.HotNamespace, cold: cfg.ColdNamespace}
	for _, p := range cfg.ColdPrefixes {
		s.coldPrefixes = append(s.coldPrefixes, cfg.KeyPrefix+p)
	}
	return s
}

// Namespace returns the namespace id a key lives in.
func (s *Store) Namespace(key string) string {
	if s.cold != "" && slices.ContainsFunc(s.coldPrefixes, func(p string) bool { return strings.HasPrefix(key, p) }) {
		return s.cold
	}
	return s.hot
}

// NotFound reports whether err is the API's 404 for a missing key.
func NotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

func (s *Store) Get(ctx context.Context, key string, _ ...kvstore.Option) ([]byte, error) {
	res, err := s.api.KV.Namespaces.Values.Get(ctx, s.Namespace(key), url.PathEscape(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.account),
	})
	if NotFound(err) {
		return nil, kvstore.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("cfkv: get %s: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

func (s *Store) writeParams(value []byte, o kvstore.Options) kv.NamespaceValueUpdateParams {
	p := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.account),
		Value:     cloudflare.F(string(value)),
	}
	if o.TTL > 0 {
		p.ExpirationTTL = cloudflare.F(o.TTL.Seconds())
	}
	if !o.ExpireAt.IsZero() {
		p.Expiration = cloudflare.F(float64(o.ExpireAt.Unix()))
	}
	if len(o.Metadata) > 0 {
		p.Metadata = cloudflare.F[any](o.Metadata)
	}
	return p
}

func (s *Store) Put(ctx context.Context, key string, value []byte, opts ...kvstore.Option) error {
	_, err := s.api.KV.Namespaces.Values.Update(ctx, s.Namespace(key), url.PathEscape(key), s.writeParams(value, kvstore.Collect(opts...)))
	if err != nil {
		return fmt.Errorf("cfkv: put %s: %w", key, err)
	}
	return nil
}

func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.api.KV.Namespaces.Values.Delete(ctx, s.Namespace(key), url.PathEscape(key), kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.account),
	})
	if err != nil && !NotFound(err) {
		return fmt.Errorf("cfkv: delete %s: %w", key, err)
	}
	return nil
}

// List implements kvstore.Store. The REST API takes 10 to 1000 keys per page.
func (s *Store) List(ctx context.Context, prefix string, opts ...kvstore.Option) (kvstore.Page, error) {
	o := kvstore.Collect(opts...)
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.account),
		Prefix:    cloudflare.F(prefix),
	}
	if o.Limit > 0 {
		params.Limit = cloudflare.F(float64(o.Limit))
	}
	if o.Cursor != "" {
		params.Cursor = cloudflare.F(o.Cursor)
	}
	res, err := s.api.KV.Namespaces.Keys.List(ctx, s.Namespace(prefix), params)
	if err != nil {
		return kvstore.Page{}, fmt.Errorf("cfkv: list %s: %w", prefix, err)
	}
	page := kvstore.Page{Cursor: res.ResultInfo.Cursor, Complete: res.ResultInfo.Cursor == ""}
	for _, k := range res.Result {
		ki := kvstore.KeyInfo{Name: k.Name}
		if k.Expiration > 0 {
			ki.Expiration = time.Unix(int64(k.Expiration), 0)
		}
		if m, ok := k.Metadata.(map[string]any); ok {
			ki.Metadata = m
		}
		page.Keys = append(page.Keys, ki)
	}
	return page, nil
}

// Entry is one pair of a bulk write.
type Entry struct {
	Key   string
	Value string
	TTL   time.Duration
}

// BulkPut writes entries into the namespace of their first key, in batches
// the API accepts. TTLs are raised to the platform minimum.
func (s *Store) BulkPut(ctx context.Context, entries []Entry) (failed []string, err error) {
	if len(entries) == 0 {
		return nil, nil
	}
	ns := s.Namespace(entries[0].Key)
	for batch := range slices.Chunk(entries, MaxBulkWrite) {
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(batch))
		for _, e := range batch {
			b := kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F(e.Key), Value: cloudflare.F(e.Value)}
			if e.TTL > 0 {
				b.ExpirationTTL = cloudflare.F(kvstore.ClampTTL(e.TTL).Seconds())
			}
			body = append(body, b)
		}
		res, err := s.api.KV.Namespaces.BulkUpdate(ctx, ns, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(s.account),
			Body:      body,
		})
		if err != nil {
			return failed, fmt.Errorf("cfkv: bulk write: %w", err)
		}
		failed = append(failed, res.UnsuccessfulKeys...)
	}
	return failed, nil
}

// TextValues extracts the string values of a text bulk-get response. Keys
// that were not found are left out.
func TextValues(res *kv.NamespaceBulkGetResponse) map[string]string {
	out := map[string]string{}
	r, ok := res.AsUnion().(kv.NamespaceBulkGetResponseWorkersKVBulkGetResult)
	if !ok {
		return out
	}
	for k, v := range r.Values {
		if str, ok := v.(shared.UnionString); ok {
			out[k] = string(str)
		}
	}
	return out
}
