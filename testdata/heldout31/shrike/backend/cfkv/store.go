// Package cfkv adapts a Workers KV namespace, reached through the Cloudflare
// REST API, to the back office's storage ports.
package cfkv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/shrike/internal/kvop"
	"example.com/shrike/internal/ports"
)

type Store struct {
	API       *kv.NamespaceService
	Account   string
	Namespace string
}

func New(client *cloudflare.Client, account, namespace string) *Store {
	return &Store{API: client.KV.Namespaces, Account: account, Namespace: namespace}
}

func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := s.API.Values.Get(ctx, s.Namespace, url.PathEscape(key), kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.Account)})
	if err != nil {
		if IsNotFound(err) {
			return nil, fmt.Errorf("%s: %w", key, ports.ErrNotFound)
		}
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

func (s *Store) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	p := kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(s.Account), Value: cloudflare.F(string(value))}
	if ttl > 0 {
		p.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	_, err := s.API.Values.Update(ctx, s.Namespace, url.PathEscape(key), p)
	return err
}

func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.API.Values.Delete(ctx, s.Namespace, url.PathEscape(key), kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(s.Account)})
	return err
}

func (s *Store) Page(ctx context.Context, q ports.Query) (ports.Page, error) {
	q = q.WithDefaults()
	p := kv.NamespaceKeyListParams{AccountID: cloudflare.F(s.Account), Prefix: cloudflare.F(q.Prefix), Limit: cloudflare.F(float64(q.Limit))}
	if q.After != "" {
		p.Cursor = cloudflare.F(q.After)
	}
	res, err := s.API.Keys.List(ctx, s.Namespace, p)
	if err != nil {
		return ports.Page{}, err
	}
	page := ports.Page{Next: res.ResultInfo.Cursor, Complete: res.ResultInfo.Cursor == ""}
	for _, k := range res.Result {
		page.Keys = append(page.Keys, k.Name)
	}
	return page, nil
}

func (s *Store) Keys(ctx context.Context, prefix string) iter.Seq2[kv.Key, error] {
	return func(yield func(kv.Key, error) bool) {
		pager := s.API.Keys.ListAutoPaging(ctx, s.Namespace, kv.NamespaceKeyListParams{ // EXPECT kvlist
			AccountID: cloudflare.F(s.Account),
			Prefix:    cloudflare.F(prefix),
		})
		for pager.Next() {
			if !yield(pager.Current(), nil) {
				return
			}
		}
		if err := pager.Err(); err != nil {
			yield(kv.Key{}, err)
		}
	}
}

// GetMany reads keys in bulk, 100 at a time; missing keys are absent from the result.
func (s *Store) GetMany(ctx context.Context, keys []string) (map[string]string, error) {
	out := make(map[string]string, len(keys))
	for chunk := range slices.Chunk(keys, 100) {
		res, err := s.API.BulkGet(ctx, s.Namespace, kv.NamespaceBulkGetParams{
			AccountID: cloudflare.F(s.Account),
			Keys:      cloudflare.F(chunk),
			Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
		})
		if err != nil {
			return nil, err
		}
		var body struct {
			Values map[string]*string `json:"values"`
		}
		if err := json.Unmarshal([]byte(res.JSON.RawJSON()), &body); err != nil {
			return nil, err
		}
		for k, v := range body.Values {
			if v != nil {
				out[k] = *v
			}
		}
	}
	return out, nil
}

// PutMany writes items in bulk, 10,000 pairs per request.
func (s *Store) PutMany(ctx context.Context, items map[string][]byte, ttl time.Duration) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(items))
	for k, v := range items {
		b := kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F(k), Value: cloudflare.F(string(v))}
		if ttl > 0 {
			b.ExpirationTTL = cloudflare.F(max(ttl, time.Minute).Seconds())
		}
		body = append(body, b)
	}
	for chunk := range slices.Chunk(body, 10_000) {
		res, err := s.API.BulkUpdate(ctx, s.Namespace, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(s.Account), Body: chunk})
		if err != nil {
			return err
		}
		if len(res.UnsuccessfulKeys) > 0 {
			return fmt.Errorf("cfkv: %d keys not written, first %q", len(res.UnsuccessfulKeys), res.UnsuccessfulKeys[0])
		}
	}
	return nil
}

func (s *Store) Exec() kvop.Exec {
	return func(ctx context.Context, op kvop.Op) (kvop.Result, error) {
		switch op.Kind {
		case kvop.Get:
			b, err := s.Get(ctx, op.Key)
			if errors.Is(err, ports.ErrNotFound) {
				return kvop.Result{}, nil
			}
			return kvop.Result{Value: b, Found: err == nil}, err
		case kvop.Put:
			return kvop.Result{}, s.Put(ctx, op.Key, op.Value, op.TTL)
		case kvop.Delete:
			return kvop.Result{}, s.Delete(ctx, op.Key)
		case kvop.List:
			p, err := s.Page(ctx, ports.Query{Prefix: op.Prefix, After: op.Cursor, Limit: op.Limit})
			return kvop.Result{Keys: p.Keys, Cursor: p.Next, Complete: p.Complete}, err
		}
		return kvop.Result{}, kvop.ErrUnsupported
	}
}

func (s *Store) Docs() ports.DocStore {
	return ports.DocStore{Read: s.Get, Write: s.Put, Find: s.Page}
}
