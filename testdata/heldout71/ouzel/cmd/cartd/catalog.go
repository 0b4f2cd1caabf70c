package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/ouzel-commerce/ouzel/internal/coupons"
)

// catalogClient fetches coupon definitions from the merchandising service.
type catalogClient struct {
	base string
	http *http.Client
}

func newCatalogClient(base string) *catalogClient {
	return &catalogClient{base: base, http: &http.Client{Timeout: 3 * time.Second}}
}

func (c *catalogClient) Coupon(ctx context.Context, code string) (*coupons.Coupon, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/coupons/"+url.PathEscape(code), nil)
	if err != nil {
		return nil, err
	}
	res, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	switch res.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound:
		return nil, nil
	default:
		return nil, fmt.Errorf("catalog: %s", res.Status)
	}
	var out coupons.Coupon
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		return nil, err
	}
	return &out, nil
}
