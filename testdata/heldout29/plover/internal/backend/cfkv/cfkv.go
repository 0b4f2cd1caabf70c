// Package cfkv implements the store ports on Workers KV through the
// Cloudflare REST API.
package cfkv

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"
	"github.com/cloudflare/cloudflare-go/v2/option"

	"example.com/plover/internal/backend/store"
)

// maxBulk is the most pairs the bulk endpoint accepts per request.
const maxBulk = 10_000

// Default is the API client, built on first use from CLOUDFLARE_API_TOKEN.
var Default = sync.OnceValue(func() *cloudflare.Client {
	return cloudflare.NewClient(option.WithMaxRetries(3), option.WithRequestTimeout(15*time.Second))
})

// NotFound reports whether err is the API's 404 for a missing key.
func NotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Store is a Provider for one account.
type Store struct {
	cf      *cloudflare.Client
	account string
}

// New returns a Store for account using the default client.
func New(account string) *Store { return &Store{cf: Default(), account: account} }

// Namespace returns a handle on the namespace id.
func (s *Store) Namespace(id string) store.Namespace { return &namespace{s: s, id: id} }

type namespace struct {
	s      *Store
	id     string
	prefix string
}

var (
	_ store.Provider  = (*Store)(nil)
	_ store.Namespace = (*namespace)(nil)
)

func (n *namespace) Prefixed(p string) store.Namespace {
	cp := *n
	cp.prefix += p
	return &cp
}

func (n *namespace) path(key string) string { return url.PathEscape(n.prefix + key) }

func (n *namespace) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := n.s.cf.KV.Namespaces.Values.Get(ctx, n.id, n.path(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(n.s.account),
	})
	if err != nil {
		if NotFound(err) {
			return nil, store.ErrNotFound
		}
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

func (n *namespace) Put(ctx context.Context, key string, value []byte, opts *store.PutOpts) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.s.account),
		Value:     cloudflare.F(string(value)),
	}
	if m := opts.Meta(); m != nil {
		b, err := json.Marshal(m)
		if err != nil {
			return err
		}
		params.Metadata = cloudflare.F(string(b))
	}
	var ro []option.RequestOption
	if secs := opts.TTLSeconds(); secs > 0 {
		ro = append(ro, option.WithQuery("expiration_ttl", strconv.Itoa(secs)))
	}
	if t := opts.Expiry(); !t.IsZero() {
		ro = append(ro, option.WithQuery("expiration", strconv.FormatInt(t.Unix(), 10)))
	}
	_, err := n.s.cf.KV.Namespaces.Values.Update(ctx, n.id, n.path(key), params, ro...)
	return err
}

func (n *namespace) Delete(ctx context.Context, key string) error {
	_, err := n.s.cf.KV.Namespaces.Values.Delete(ctx, n.id, n.path(key), kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(n.s.account),
	})
	if NotFound(err) {
		return nil
	}
	return err
}

func (n *namespace) List(ctx context.Context, prefix, cursor string, limit int) (store.Page, error) {
	p := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(n.s.account),
		Prefix:    cloudflare.F(n.prefix + prefix),
	}
	if cursor != "" {
		p.Cursor = cloudflare.F(cursor)
	}
	if limit > 0 {
		p.Limit = cloudflare.F(float64(limit))
	}
	res, err := n.s.cf.KV.Namespaces.Keys.List(ctx, n.id, p)
	if err != nil {
		return store.Page{}, err
	}
	page := store.Page{Cursor: res.ResultInfo.Cursor, Entries: make([]store.Entry, 0, len(res.Result))}
	for _, k := range res.Result {
		e := store.Entry{Name: strings.TrimPrefix(k.Name, n.prefix), Metadata: k.Metadata}
		if k.Expiration > 0 {
			e.Expires = time.Unix(int64(k.Expiration), 0)
		}
		page.Entries = append(page.Entries, e)
	}
	return page, nil
}

func (n *namespace) PutMany(ctx context.Context, items []store.Item) error {
	for chunk := range slices.Chunk(items, maxBulk) {
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(chunk))
		for _, it := range chunk {
			b := kv.NamespaceBulkUpdateParamsBody{
				Key:   cloudflare.F(n.prefix + it.Key),
				Value: cloudflare.F(string(it.Value)),
			}
			if it.TTL > 0 {
				b.ExpirationTTL = cloudflare.F(float64(it.TTL / time.Second))
			}
			if it.Metadata != nil {
				b.Metadata = cloudflare.F(it.Metadata)
			}
			body = append(body, b)
		}
		_, err := n.s.cf.KV.Namespaces.Bulk.Update(ctx, n.id, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(n.s.account),
			Body:      body,
		})
		if err != nil {
			return err
		}
	}
	return nil
}
