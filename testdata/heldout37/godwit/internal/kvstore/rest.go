//go:build !js

package kvstore

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
)

// REST is a Namespace over the Cloudflare API, for jobs that run outside
// Workers. It reports a missing key as Missing, like the binding.
type REST struct {
	Client    *cloudflare.Client
	AccountID string
	Namespace string
}

func (r *REST) Get(ctx context.Context, key Key) (string, error) {
	res, err := r.Client.KV.Namespaces.Values.Get(ctx, r.Namespace, url.PathEscape(string(key)),
		kv.NamespaceValueGetParams{AccountID: cloudflare.F(r.AccountID)})
	var apiErr *cloudflare.Error
	if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
		return Missing, nil
	} else if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return string(b), err
}

func (r *REST) Put(ctx context.Context, key Key, value string, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(r.AccountID), Value: cloudflare.F(value)}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	_, err := r.Client.KV.Namespaces.Values.Update(ctx, r.Namespace, url.PathEscape(string(key)), params)
	return err
}

func (r *REST) Delete(ctx context.Context, key Key) error {
	_, err := r.Client.KV.Namespaces.Values.Delete(ctx, r.Namespace, url.PathEscape(string(key)),
		kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(r.AccountID)})
	return err
}

func (r *REST) List(ctx context.Context, o ListOptions) (Page, error) {
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(r.AccountID), Prefix: cloudflare.F(string(o.Prefix))}
	if o.Cursor != "" {
		params.Cursor = cloudflare.F(o.Cursor)
	}
	if o.Limit > 0 {
		params.Limit = cloudflare.F(float64(o.Limit))
	}
	res, err := r.Client.KV.Namespaces.Keys.List(ctx, r.Namespace, params)
	if err != nil {
		return Page{}, err
	}
	page := Page{Cursor: res.ResultInfo.Cursor, Complete: res.ResultInfo.Cursor == ""}
	for _, k := range res.Result {
		e := Entry{Name: Key(k.Name)}
		if k.Expiration > 0 {
			e.Expiration = time.Unix(int64(k.Expiration), 0)
		}
		page.Keys = append(page.Keys, e)
	}
	return page, nil
}
