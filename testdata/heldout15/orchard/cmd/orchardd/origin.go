package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"example.com/orchard/internal/catalog"
	"example.com/orchard/internal/ids"
)

// origin is the client for the grower database service, which owns
// products, accounts and credentials, and fronts the message bus.
type origin struct {
	base string
	hc   *http.Client
}

func newOrigin(base string) *origin {
	return &origin{base: base, hc: &http.Client{Timeout: 10 * time.Second}}
}

func (o *origin) do(ctx context.Context, method, path string, body, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, method, o.base+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	res, err := o.hc.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	switch {
	case res.StatusCode == http.StatusNotFound && len(path) > 10 && path[:10] == "/products/":
		return catalog.ErrNoSuchProduct
	case res.StatusCode >= 300:
		return fmt.Errorf("origin: %s %s: HTTP %d", method, path, res.StatusCode)
	case out == nil:
		return nil
	}
	return json.NewDecoder(res.Body).Decode(out)
}

func (o *origin) Product(ctx context.Context, sku ids.SKU) (*catalog.Product, error) {
	var p catalog.Product
	return &p, o.do(ctx, http.MethodGet, "/products/"+url.PathEscape(sku.String()), nil, &p)
}

func (o *origin) Featured(ctx context.Context) (skus []ids.SKU, err error) {
	return skus, o.do(ctx, http.MethodGet, "/featured", nil, &skus)
}

func (o *origin) Check(ctx context.Context, email, password string) (ids.AccountID, error) {
	var out struct{ Account ids.AccountID }
	return out.Account, o.do(ctx, http.MethodPost, "/auth/check", map[string]string{"email": email, "password": password}, &out)
}

func (o *origin) ActiveGrowers(ctx context.Context) (int, error) {
	var out struct{ Count int }
	return out.Count, o.do(ctx, http.MethodGet, "/growers/count?active=1", nil, &out)
}

func (o *origin) Publish(ctx context.Context, topic string, body []byte) error {
	return o.do(ctx, http.MethodPost, "/bus/"+url.PathEscape(topic), json.RawMessage(body), nil)
}
