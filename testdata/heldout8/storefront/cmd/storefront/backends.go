package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"

	"example.com/storefront/internal/catalog"
	"example.com/storefront/internal/checkout"
	"example.com/storefront/internal/coupon"
)

func fetchJSON[T any](ctx context.Context, hc *http.Client, u string) (T, error) {
	var out T
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return out, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return out, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return out, fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return out, json.NewDecoder(resp.Body).Decode(&out)
}

// backoffice is the internal API gateway in front of the PIM, promotions
// and carrier services.
type backoffice struct {
	base string
	hc   *http.Client
	log  *slog.Logger
}

func (b backoffice) AllProducts(ctx context.Context) ([]catalog.Product, error) {
	return fetchJSON[[]catalog.Product](ctx, b.hc, b.base+"/pim/v1/products?status=active")
}

func (b backoffice) Product(ctx context.Context, sku string) (catalog.Product, error) {
	return fetchJSON[catalog.Product](ctx, b.hc, b.base+"/pim/v1/products/"+url.PathEscape(sku))
}

func (b backoffice) CategoryTree(ctx context.Context) (map[string][]string, error) {
	return fetchJSON[map[string][]string](ctx, b.hc, b.base+"/pim/v1/categories/tree")
}

func (b backoffice) Active(ctx context.Context) (map[string]bool, error) {
	skus, err := fetchJSON[[]string](ctx, b.hc, b.base+"/pim/v1/products/active-skus")
	out := make(map[string]bool, len(skus))
	for _, s := range skus {
		out[s] = true
	}
	return out, err
}

func (b backoffice) Complete(ctx context.Context, prefix string, n int) ([]string, error) {
	return fetchJSON[[]string](ctx, b.hc, b.base+"/pim/v1/complete?n="+strconv.Itoa(n)+"&q="+url.QueryEscape(prefix))
}

func (b backoffice) Rules(ctx context.Context, code string) (coupon.Rules, error) {
	r, err := fetchJSON[coupon.Rules](ctx, b.hc, b.base+"/promotions/v1/codes/"+url.PathEscape(code))
	if err != nil {
		return r, fmt.Errorf("%w: %v", coupon.ErrUnknown, err)
	}
	return r, nil
}

func (b backoffice) Rates(ctx context.Context, address string, total int64) ([]checkout.Quote, error) {
	q := url.Values{"address": {address}, "value": {strconv.FormatInt(total, 10)}}
	return fetchJSON[[]checkout.Quote](ctx, b.hc, b.base+"/carriers/v2/rates?"+q.Encode())
}

func (b backoffice) SendOTP(ctx context.Context, email, code string) error {
	_, err := fetchJSON[struct{}](ctx, b.hc, b.base+"/mail/v1/otp?"+url.Values{"to": {email}, "code": {code}}.Encode())
	return err
}
