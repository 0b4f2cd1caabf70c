//go:build !js

// Package restkv is the backend's thin wrapper over the Cloudflare REST API
// for one Workers KV namespace.
package restkv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/option"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// MaxBulk is the number of pairs the bulk endpoints accept per request.
const MaxBulk = 10_000

// Namespace addresses one KV namespace through the REST API.
type Namespace struct {
	API         *cloudflare.Client
	AccountID   string
	NamespaceID string
}

// New builds a Namespace from an API token.
func New(token, accountID, namespaceID string) *Namespace {
	return &Namespace{
		API:         cloudflare.NewClient(option.WithAPIToken(token), option.WithMaxRetries(3)),
		AccountID:   accountID,
		NamespaceID: namespaceID,
	}
}

// IsNotFound reports whether err is the API's 404 for a missing key.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Get returns the value at key, or ok=false if the key does not exist.
func (n *Namespace) Get(ctx context.Context, key string) (value []byte, ok bool, err error) {
	resp, err := n.API.KV.Namespaces.Values.Get(ctx, n.NamespaceID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(n.AccountID),
	})
	if IsNotFound(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("kv get %s: %w", key, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, false, err
	}
	return b, true, nil
}

// GetJSON decodes the value at key into dst.
func (n *Namespace) GetJSON(ctx context.Context, key string, dst any) (bool, error) {
	b, ok, err := n.Get(ctx, key)
	if err != nil || !ok {
		return ok, err
	}
	return true, json.Unmarshal(b, dst)
}

// Put writes value at key with a relative TTL; zero means no expiry.
func (n *Namespace) Put(ctx context.Context, key, value string, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.AccountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	_, err := n.API.KV.Namespaces.Values.Update(ctx, n.NamespaceID, key, params)
	return err
}

// PutUntil writes value at key, expiring at the given moment.
func (n *Namespace) PutUntil(ctx context.Context, key, value string, at time.Time) error {
	_, err := n.API.KV.Namespaces.Values.Update(ctx, n.NamespaceID, key, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(n.AccountID),
		Value:      cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
		Expiration: cloudflare.F(float64(at.Unix())),
	})
	return err
}

// PutJSON encodes v and writes it with a TTL.
func (n *Namespace) PutJSON(ctx context.Context, key string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return n.Put(ctx, key, string(b), ttl)
}

// Delete removes key.
func (n *Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.API.KV.Namespaces.Values.Delete(ctx, n.NamespaceID, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(n.AccountID),
	})
	return err
}

// Pair is one entry of a bulk write.
type Pair struct {
	Key      string
	Value    string
	TTL      time.Duration
	Metadata map[string]any
}

// BulkPut writes pairs in requests of at most MaxBulk pairs.
func (n *Namespace) BulkPut(ctx context.Context, pairs []Pair) (failed []string, err error) {
	for chunk := range slices.Chunk(pairs, MaxBulk) {
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(chunk))
		for _, p := range chunk {
			b := kv.NamespaceBulkUpdateParamsBody{
				Key:   cloudflare.F(p.Key),
				Value: cloudflare.F(p.Value),
			}
			if p.TTL > 0 {
				b.ExpirationTTL = cloudflare.F(max(p.TTL, time.Minute).Seconds())
			}
			if p.Metadata != nil {
				b.Metadata = cloudflare.F[any](p.Metadata)
			}
			body = append(body, b)
		}
		res, err := n.API.KV.Namespaces.BulkUpdate(ctx, n.NamespaceID, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(n.AccountID),
			Body:      body,
		})
		if err != nil {
			return failed, err
		}
		failed = append(failed, res.UnsuccessfulKeys...)
	}
	return failed, nil
}

// BulkDelete removes keys in requests of at most MaxBulk keys.
func (n *Namespace) BulkDelete(ctx context.Context, keys []string) error {
	for chunk := range slices.Chunk(keys, MaxBulk) {
		_, err := n.API.KV.Namespaces.BulkDelete(ctx, n.NamespaceID, kv.NamespaceBulkDeleteParams{
			AccountID: cloudflare.F(n.AccountID),
			Body:      chunk,
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// BulkGetText fetches up to 100 text values per request. Missing keys are
// absent from the result.
func (n *Namespace) BulkGetText(ctx context.Context, keys []string) (map[string]string, error) {
	out := make(map[string]string, len(keys))
	for chunk := range slices.Chunk(keys, 100) {
		res, err := n.API.KV.Namespaces.BulkGet(ctx, n.NamespaceID, kv.NamespaceBulkGetParams{
			AccountID: cloudflare.F(n.AccountID),
			Keys:      cloudflare.F(chunk),
			Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
		})
		if err != nil {
			return nil, err
		}
		result, ok := res.AsUnion().(kv.NamespaceBulkGetResponseWorkersKVBulkGetResult)
		if !ok {
			return nil, fmt.Errorf("bulk get: unexpected result shape")
		}
		for k, v := range result.Values {
			if s, ok := v.(shared.UnionString); ok {
				out[k] = string(s)
			}
		}
	}
	return out, nil
}

// Page lists one page of keys under prefix. It returns the cursor of the
// next page, or "" at the end.
func (n *Namespace) Page(ctx context.Context, prefix, cursor string, limit int) ([]kv.Key, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(n.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := n.API.KV.Namespaces.Keys.List(ctx, n.NamespaceID, params)
	if err != nil {
		return nil, "", err
	}
	return page.Result, page.ResultInfo.Cursor, nil
}
