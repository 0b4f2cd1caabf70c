// Package fxrates caches exchange rates at the edge. Rates come from the
// treasury provider, which pushes a webhook after each fixing; invoices in a
// foreign currency are converted with the cached rate.
package fxrates

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/go-kit/kit/endpoint"

	"github.com/ledgerline/treecreeper/internal/kvedge"
)

// Rate is one currency pair.
type Rate struct {
	Base    string    `json:"base"`
	Quote   string    `json:"quote"`
	Mid     float64   `json:"mid"`
	FixedAt time.Time `json:"fixed_at"`
	NextFix time.Time `json:"next_fix"`
}

// Provider is the treasury API.
type Provider interface {
	Fetch(ctx context.Context, base, quote string) (Rate, error)
}

// PushRequest is the provider's webhook body.
type PushRequest struct {
	Rates []Rate `json:"rates"`
}

func pairKey(base, quote string) string { return fmt.Sprintf("fx:%s:%s", base, quote) }

// Cache reads rates through KV.
type Cache struct {
	NS       *kvedge.Namespace
	Provider Provider
}

// Lookup returns a rate, fetching from the provider on a miss and caching
// it until the provider's next fixing.
func (c *Cache) Lookup(ctx context.Context, base, quote string) (Rate, error) {
	key := pairKey(base, quote)
	if raw, err := c.NS.Get(ctx, key); err == nil {
		var r Rate
		if json.Unmarshal(raw, &r) == nil {
			return r, nil
		}
	} else if !errors.Is(err, kvedge.ErrNotFound) {
		return Rate{}, err
	}
	r, err := c.Provider.Fetch(ctx, base, quote)
	if err != nil {
		return Rate{}, err
	}
	body, _ := json.Marshal(r)
	if err := c.NS.Put(ctx, key, body, r.NextFix.Sub(time.Now())); err != nil { // EXPECT kvttl
		return Rate{}, err
	}
	return r, nil
}

// Warm refreshes the pairs used by open invoices. It runs from the relay's
// scheduler every few minutes; each pair gets its own key.
func (c *Cache) Warm(ctx context.Context, pairs [][2]string) error {
	var errs []error
	for _, p := range pairs {
		r, err := c.Provider.Fetch(ctx, p[0], p[1])
		if err != nil {
			errs = append(errs, err)
			continue
		}
		body, _ := json.Marshal(r)
		ttl := max(time.Until(r.NextFix), time.Minute)
		if err := c.NS.Put(ctx, pairKey(p[0], p[1]), body, ttl); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// WarmIntraday caches intraday indicative rates, which the provider
// refreshes every few seconds during market hours.
func (c *Cache) WarmIntraday(ctx context.Context, base string, quotes []string, window time.Duration) error {
	for _, q := range quotes {
		r, err := c.Provider.Fetch(ctx, base, q)
		if err != nil {
			return err
		}
		body, _ := json.Marshal(r)
		ttl := max(2*window, 10*time.Second)
		if err := c.NS.Put(ctx, "fx-intraday:"+base+":"+q, body, ttl); err != nil { // EXPECT kvttl
			return err
		}
	}
	return nil
}

// PinQuote stores the rate quoted to a customer who opened the pay page,
// honoured while the page's countdown runs.
func (c *Cache) PinQuote(ctx context.Context, linkID string, r Rate) error {
	body, _ := json.Marshal(r)
	return c.NS.PutUntil(ctx, "fx-quote:"+linkID, body, time.Now().Add(45*time.Second)) // EXPECT kvttl
}

// PinDailyReference stores the reference rate of the day for statements.
func (c *Cache) PinDailyReference(ctx context.Context, r Rate) error {
	now := time.Now().UTC()
	endOfDay := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, time.UTC)
	body, _ := json.Marshal(r)
	return c.NS.PutUntil(ctx, "fx-daily:"+r.Base+":"+r.Quote, body, endOfDay) // DEBATABLE kvttl
}

// PinMonthlyReference stores the month-end rate, kept for 35 days.
func (c *Cache) PinMonthlyReference(ctx context.Context, r Rate) error {
	now := time.Now().UTC()
	body, _ := json.Marshal(r)
	return c.NS.PutUntil(ctx, "fx-monthly:"+now.Format("2006-01")+":"+r.Base+":"+r.Quote, body, now.AddDate(0, 0, 35))
}

// MakePushEndpoint receives the provider's webhook after a fixing and
// publishes the whole board for the portal's currency picker.
func MakePushEndpoint(ns *kvedge.Namespace) endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(PushRequest)
		slices.SortFunc(req.Rates, func(a, b Rate) int {
			return cmp.Compare(a.Base+a.Quote, b.Base+b.Quote)
		})
		board, _ := json.Marshal(req.Rates)
		if err := ns.Put(ctx, "fx:board", board, 0); err != nil { // EXPECT kvhotkey
			return nil, err
		}
		return struct {
			Accepted int `json:"accepted"`
		}{len(req.Rates)}, nil
	}
}

// Preferences are the currencies a tenant shows on its portal.
type Preferences struct {
	Display []string `json:"display"`
	Default string   `json:"default"`
}

// AddDisplayCurrency adds a currency to the tenant's portal picker.
func AddDisplayCurrency(ctx context.Context, ns *kvedge.Namespace, tenant, ccy string) error {
	key := "fx-prefs:" + tenant
	prefs := Preferences{Display: []string{"USD", "EUR"}, Default: "USD"}
	raw, err := ns.Get(ctx, key) // EXPECT kvnull
	if err == nil {
		_ = json.Unmarshal(raw, &prefs)
	}
	if !slices.Contains(prefs.Display, ccy) {
		prefs.Display = append(prefs.Display, ccy)
	}
	body, _ := json.Marshal(prefs)
	return ns.Put(ctx, key, body, 0) // EXPECT kvrace
}
