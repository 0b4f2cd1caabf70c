package kvstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
)

// MaxBulk is the most pairs the bulk endpoints take in one request.
const MaxBulk = 10_000

// REST is a namespace reached through the Cloudflare API.
type REST struct {
	api       *kv.NamespaceService
	accountID string
	id        string
}

func NewREST(client *cloudflare.Client, accountID, id string) *REST {
	return &REST{api: client.KV.Namespaces, accountID: accountID, id: id}
}

func (r *REST) ID() string { return r.id }

// IsNotFound reports whether err is the API's 404 for a missing key.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Get reads key. A 404 is reported as found == false.
func (r *REST) Get(ctx context.Context, key string) (string, bool, error) {
	res, err := r.api.Values.Get(ctx, r.id, url.PathEscape(key), kv.NamespaceValueGetParams{AccountID: cloudflare.F(r.accountID)})
	if IsNotFound(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, &OpError{Op: "get", Key: key, Err: err}
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return "", false, &OpError{Op: "get", Key: key, Err: err}
	}
	return string(b), true, nil
}

// Put writes key with a relative lifetime.
func (r *REST) Put(ctx context.Context, key, value string, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(r.accountID), Value: cloudflare.F(value)}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(float64(ToSeconds(ttl)))
	}
	if _, err := r.api.Values.Update(ctx, r.id, url.PathEscape(key), params); err != nil {
		return &OpError{Op: "put", Key: key, Err: err}
	}
	return nil
}

// PutAt writes key to expire at an absolute time.
func (r *REST) PutAt(ctx context.Context, key, value string, expires time.Time) error {
	_, err := r.api.Values.Update(ctx, r.id, url.PathEscape(key), kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(r.accountID),
		Value:      cloudflare.F(value),
		Expiration: cloudflare.F(float64(expires.Unix())),
	})
	if err != nil {
		return &OpError{Op: "put", Key: key, Err: err}
	}
	return nil
}

func (r *REST) Delete(ctx context.Context, key string) error {
	_, err := r.api.Values.Delete(ctx, r.id, url.PathEscape(key), kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(r.accountID)})
	if err != nil && !IsNotFound(err) {
		return &OpError{Op: "delete", Key: key, Err: err}
	}
	return nil
}

// List returns one page. The API has no list_complete flag; an empty cursor
// marks the last page.
func (r *REST) List(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(r.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(min(max(limit, 10), 1000))),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := r.api.Keys.List(ctx, r.id, params)
	if err != nil {
		return Page{}, &OpError{Op: "list", Key: prefix, Err: err}
	}
	out := Page{Cursor: page.ResultInfo.Cursor, Complete: page.ResultInfo.Cursor == ""}
	for _, k := range page.Result {
		out.Keys = append(out.Keys, k.Name)
	}
	return out, nil
}

// PutMany writes items in requests of at most MaxBulk pairs.
func (r *REST) PutMany(ctx context.Context, items []Item) error {
	var errs []error
	for start := 0; start < len(items); start += MaxBulk {
		var body []kv.NamespaceBulkUpdateParamsBody
		for _, it := range items[start:min(start+MaxBulk, len(items))] {
			b := kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F(it.Key), Value: cloudflare.F(it.Value)}
			if it.TTL > 0 {
				b.ExpirationTTL = cloudflare.F(float64(ToSeconds(it.TTL)))
			}
			body = append(body, b)
		}
		res, err := r.api.BulkUpdate(ctx, r.id, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(r.accountID), Body: body})
		if err != nil {
			errs = append(errs, fmt.Errorf("bulk update at %d: %w", start, err))
		} else if n := len(res.UnsuccessfulKeys); n > 0 {
			errs = append(errs, fmt.Errorf("bulk update at %d: %d keys not written", start, n))
		}
	}
	return errors.Join(errs...)
}

// DeleteMany removes keys in requests of at most MaxBulk keys.
func (r *REST) DeleteMany(ctx context.Context, keys []string) error {
	var errs []error
	for start := 0; start < len(keys); start += MaxBulk {
		chunk := keys[start:min(start+MaxBulk, len(keys))]
		if _, err := r.api.BulkDelete(ctx, r.id, kv.NamespaceBulkDeleteParams{AccountID: cloudflare.F(r.accountID), Body: chunk}); err != nil {
			errs = append(errs, fmt.Errorf("bulk delete at %d: %w", start, err))
		}
	}
	return errors.Join(errs...)
}
