package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"example.com/grebe/internal/domain"
)

// provider is the HTTP client of the payment and billing provider.
type provider struct {
	base string
	key  string
	hc   *http.Client
}

func newProvider(base, key string) *provider {
	return &provider{base: base, key: key, hc: &http.Client{Timeout: 15 * time.Second}}
}

func (p *provider) get(ctx context.Context, path string, q url.Values, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.base+path+"?"+q.Encode(), nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+p.key)
	resp, err := p.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("provider %s: %s", path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// Undelivered implements daypass.Payments.
func (p *provider) Undelivered(ctx context.Context, max int) ([]domain.DayPassPurchase, bool, error) {
	var page struct {
		Data    []domain.DayPassPurchase `json:"data"`
		HasMore bool                     `json:"has_more"`
	}
	err := p.get(ctx, "/v1/daypasses/undelivered", url.Values{"limit": {strconv.Itoa(max)}}, &page)
	return page.Data, page.HasMore, err
}

// ChangedSince implements passes.Billing.
func (p *provider) ChangedSince(ctx context.Context, t time.Time) ([]domain.Pass, error) {
	var out []domain.Pass
	err := p.get(ctx, "/v1/passes", url.Values{"changed_since": {t.UTC().Format(time.RFC3339)}}, &out)
	return out, err
}
