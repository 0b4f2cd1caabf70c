package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"example.com/commerce/internal/catalog"
	"example.com/commerce/internal/checkout"
	"example.com/commerce/internal/sale"
)

// originClient talks to the core commerce API (Postgres-backed), which also
// fronts the inventory Durable Object, the PSP gateway and the mailer. It
// implements the outbound ports of the edge services.
type originClient struct {
	base string
	http *http.Client
}

func newOriginClient(base string) *originClient {
	return &originClient{base: base, http: &http.Client{Timeout: 8 * time.Second}}
}

func call[T any](ctx context.Context, c *originClient, method, path string, in any) (out T, err error) {
	var body bytes.Buffer
	if in != nil {
		_ = json.NewEncoder(&body).Encode(in)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, &body)
	if err != nil {
		return out, err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := c.http.Do(req)
	if err != nil {
		return out, err
	}
	defer res.Body.Close()
	if res.StatusCode >= 300 {
		return out, fmt.Errorf("origin: %s %s: %s", method, path, res.Status)
	}
	if res.StatusCode != http.StatusNoContent {
		err = json.NewDecoder(res.Body).Decode(&out)
	}
	return out, err
}

func (c *originClient) Products(ctx context.Context) ([]catalog.Product, error) {
	return call[[]catalog.Product](ctx, c, "GET", "/products", nil)
}
func (c *originClient) Product(ctx context.Context, sku string) (catalog.Product, error) {
	return call[catalog.Product](ctx, c, "GET", "/products/"+url.PathEscape(sku), nil)
}
func (c *originClient) PriceList(ctx context.Context, region string) (catalog.PriceList, error) {
	return call[catalog.PriceList](ctx, c, "GET", "/prices/"+url.PathEscape(region), nil)
}
func (c *originClient) StockLevel(ctx context.Context, sku string) (int, error) {
	return call[int](ctx, c, "GET", "/stock/"+url.PathEscape(sku), nil)
}
func (c *originClient) Top(ctx context.Context, n int) ([]string, error) {
	return call[[]string](ctx, c, "GET", "/analytics/top?n="+strconv.Itoa(n), nil)
}
func (c *originClient) ActiveSales(ctx context.Context) ([]sale.Sale, error) {
	return call[[]sale.Sale](ctx, c, "GET", "/sales/active", nil)
}

// Reserve decrements the sale allocation held by the inventory Durable
// Object.
func (c *originClient) Reserve(ctx context.Context, saleID string, qty int) (int, error) {
	return call[int](ctx, c, "POST", "/inventory/"+url.PathEscape(saleID)+"/reserve", map[string]int{"qty": qty})
}
func (c *originClient) CreateIntent(ctx context.Context, amount int64, ref string) (checkout.ProviderIntent, error) {
	return call[checkout.ProviderIntent](ctx, c, "POST", "/psp/intents", map[string]any{"amount": amount, "reference": ref})
}
func (c *originClient) Place(ctx context.Context, s checkout.Session, providerRef string) (string, error) {
	return call[string](ctx, c, "POST", "/orders", map[string]any{"session": s, "provider_ref": providerRef})
}
func (c *originClient) Authenticate(ctx context.Context, email, password string) (string, error) {
	return call[string](ctx, c, "POST", "/auth/verify", map[string]string{"email": email, "password": password})
}
func (c *originClient) SetPassword(ctx context.Context, uid, password string) error {
	_, err := call[struct{}](ctx, c, "PUT", "/users/"+url.PathEscape(uid)+"/password", map[string]string{"password": password})
	return err
}
func (c *originClient) SendCode(ctx context.Context, uid, code string) error {
	_, err := call[struct{}](ctx, c, "POST", "/mail/step-up", map[string]string{"user": uid, "code": code})
	return err
}
func (c *originClient) RequestReviews(ctx context.Context, orderIDs []string) error {
	_, err := call[struct{}](ctx, c, "POST", "/mail/review-requests", orderIDs)
	return err
}
