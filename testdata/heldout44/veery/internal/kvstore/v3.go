package kvstore

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
)

// V3 is the adapter used by the newer services (rollouts, command queues).
// It is a small value type: copy it freely.
type V3 struct {
	Client    *cloudflare.Client
	AccountID string
}

// IsMissing reports whether err is the v3 SDK's 404 for a missing key.
func IsMissing(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Get returns the value under key.
func (v V3) Get(ctx context.Context, ns, key string) ([]byte, error) {
	resp, err := v.Client.KV.Namespaces.Values.Get(ctx, ns, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(v.AccountID),
	})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// Put writes value under key. The single-value endpoint takes no expiry, so
// values with a ttl go through the bulk endpoint as a batch of one.
func (v V3) Put(ctx context.Context, ns, key string, value []byte, ttl time.Duration) error {
	if ttl <= 0 {
		_, err := v.Client.KV.Namespaces.Values.Update(ctx, ns, key, kv.NamespaceValueUpdateParams{
			AccountID: cloudflare.F(v.AccountID),
			Value:     cloudflare.F(string(value)),
			Metadata:  cloudflare.F("{}"),
		})
		return err
	}
	_, err := v.Client.KV.Namespaces.Bulk.Update(ctx, ns, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(v.AccountID),
		Body: []kv.NamespaceBulkUpdateParamsBody{{
			Key:           cloudflare.F(key),
			Value:         cloudflare.F(string(value)),
			ExpirationTTL: cloudflare.F(float64(int(ttl.Seconds()))),
		}},
	})
	return err
}

// Delete removes key.
func (v V3) Delete(ctx context.Context, ns, key string) error {
	_, err := v.Client.KV.Namespaces.Values.Delete(ctx, ns, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(v.AccountID),
	})
	return err
}

// Page is one page of a key listing.
type Page struct {
	Keys   []kv.Key
	Cursor string
}

// ListPage returns one page under prefix starting at cursor.
func (v V3) ListPage(ctx context.Context, ns, prefix, cursor string, limit int) (Page, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(v.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	res, err := v.Client.KV.Namespaces.Keys.List(ctx, ns, params)
	if err != nil {
		return Page{}, err
	}
	return Page{Keys: res.Result, Cursor: res.ResultInfo.Cursor}, nil
}
