package invoices

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"example.com/otter/internal/events"
	"example.com/otter/internal/keys"
	"example.com/otter/internal/kvport"
)

// ObserverDeps are the stores written by the invoice observers.
type ObserverDeps struct {
	Summaries kvport.Store
	Stats     kvport.Store
	Ready     kvport.Store
}

func on[E events.Event](fn func(context.Context, E) error) events.Handler {
	return func(ctx context.Context, e events.Event) error {
		if ev, ok := e.(E); ok {
			return fn(ctx, ev)
		}
		return nil
	}
}

// RegisterObservers subscribes the invoice read models to bus.
func RegisterObservers(bus *events.Bus, d ObserverDeps) {
	bus.Subscribe("customer-summary", on(d.recordPaid))
	bus.Subscribe("sent-stats", on(d.countSent))
	bus.Subscribe("pdf-ready", on(d.markReady))
}

// CustomerSummary is the portal's overview of one customer.
type CustomerSummary struct {
	CustomerID      string    `json:"customer_id"`
	LastPaidInvoice string    `json:"last_paid_invoice"`
	LastPaidAt      time.Time `json:"last_paid_at"`
	Recent          []string  `json:"recent"`
}

func summaryKey(tenant, customer string) string {
	return "cust:" + keys.Clean(tenant) + ":" + keys.Clean(customer)
}

func (d ObserverDeps) recordPaid(ctx context.Context, e events.InvoicePaid) error {
	key := summaryKey(e.Tenant, e.CustomerID)
	sum := CustomerSummary{CustomerID: e.CustomerID}
	raw, err := d.Summaries.Get(ctx, key)
	switch {
	case kvport.IsNotFound(err):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(raw, &sum); err != nil {
			return err
		}
	}
	sum.LastPaidInvoice, sum.LastPaidAt = e.InvoiceID, e.PaidAt
	sum.Recent = append([]string{e.InvoiceID}, sum.Recent...)
	sum.Recent = sum.Recent[:min(len(sum.Recent), 10)]
	out, err := json.Marshal(sum)
	if err != nil {
		return err
	}
	return d.Summaries.Put(ctx, key, out, nil) // EXPECT kvrace
}

func (d ObserverDeps) countSent(ctx context.Context, e events.InvoiceFinalized) error {
	key := "sent:" + keys.Clean(e.Tenant) + ":" + keys.Clean(e.CustomerID)
	n := 0
	raw, err := d.Stats.Get(ctx, key)
	if err == nil {
		n, _ = strconv.Atoi(string(raw))
	} else if !kvport.IsNotFound(err) {
		return err
	}
	return d.Stats.Put(ctx, key, strconv.AppendInt(nil, int64(n+1), 10), nil) // EXPECT kvcounter
}

func (d ObserverDeps) markReady(ctx context.Context, e events.InvoiceFinalized) error {
	return d.Ready.Put(ctx, e.InvoiceID, []byte(e.Number), &kvport.PutOpts{TTL: 7 * 24 * time.Hour})
}
