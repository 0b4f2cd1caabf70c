package kvstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"time"

	cfv2 "github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"
)

// V2Store talks to one namespace through cloudflare-go/v2. Tenant namespaces
// use it because it supports bulk writes with per-pair metadata.
type V2Store struct {
	client      *cfv2.Client
	accountID   string
	namespaceID string
}

// NewV2 binds a v2 client to a namespace.
func NewV2(client *cfv2.Client, accountID, namespaceID string) *V2Store {
	return &V2Store{client: client, accountID: accountID, namespaceID: namespaceID}
}

// Get returns the value of key, or ErrNotFound.
func (s *V2Store) Get(ctx context.Context, key fmt.Stringer) ([]byte, error) {
	res, err := s.client.KV.Namespaces.Values.Get(ctx, s.namespaceID, url.PathEscape(key.String()), kv.NamespaceValueGetParams{
		AccountID: cfv2.F(s.accountID),
	})
	if err != nil {
		return nil, translate(err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Put writes key without expiry.
func (s *V2Store) Put(ctx context.Context, key fmt.Stringer, value []byte) error {
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.namespaceID, url.PathEscape(key.String()), kv.NamespaceValueUpdateParams{
		AccountID: cfv2.F(s.accountID),
		Value:     cfv2.F(string(value)),
		Metadata:  cfv2.F("{}"),
	})
	return translate(err)
}

// PutTTL writes key with a relative expiry through the bulk endpoint.
func (s *V2Store) PutTTL(ctx context.Context, key fmt.Stringer, value []byte, ttl time.Duration) error {
	return s.PutMany(ctx, []Entry{{Key: key.String(), Value: value, TTL: ttl}})
}

// PutMany writes up to 10,000 pairs in one request.
func (s *V2Store) PutMany(ctx context.Context, entries []Entry) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(entries))
	for _, e := range entries {
		b := kv.NamespaceBulkUpdateParamsBody{
			Key:   cfv2.F(e.Key),
			Value: cfv2.F(string(e.Value)),
		}
		if e.TTL > 0 {
			b.ExpirationTTL = cfv2.F(e.TTL.Seconds())
		}
		if e.Metadata != nil {
			b.Metadata = cfv2.F(e.Metadata)
		}
		body = append(body, b)
	}
	_, err := s.client.KV.Namespaces.Bulk.Update(ctx, s.namespaceID, kv.NamespaceBulkUpdateParams{
		AccountID: cfv2.F(s.accountID),
		Body:      body,
	})
	return translate(err)
}

// Delete removes key.
func (s *V2Store) Delete(ctx context.Context, key fmt.Stringer) error {
	_, err := s.client.KV.Namespaces.Values.Delete(ctx, s.namespaceID, url.PathEscape(key.String()), kv.NamespaceValueDeleteParams{
		AccountID: cfv2.F(s.accountID),
	})
	return translate(err)
}

// List returns one page of keys under prefix, starting at cursor.
func (s *V2Store) List(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cfv2.F(s.accountID),
		Prefix:    cfv2.F(prefix),
		Limit:     cfv2.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cfv2.F(cursor)
	}
	res, err := s.client.KV.Namespaces.Keys.List(ctx, s.namespaceID, params)
	if err != nil {
		return Page{}, translate(err)
	}
	page := Page{Cursor: res.ResultInfo.Cursor, Keys: make([]KeyInfo, 0, len(res.Result))}
	for _, k := range res.Result {
		page.Keys = append(page.Keys, KeyInfo{Name: k.Name, Expiration: int64(k.Expiration), Metadata: k.Metadata})
	}
	return page, nil
}

// Client exposes the SDK client for jobs that need the auto-pager.
func (s *V2Store) Client() (*cfv2.Client, string, string) {
	return s.client, s.accountID, s.namespaceID
}

func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
