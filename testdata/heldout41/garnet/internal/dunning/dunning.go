// Package dunning keeps the reminder schedule of unpaid invoices.
package dunning

import (
	"context"
	"errors"
	"strings"
	"time"

	"garnet/internal/bus"
	"garnet/internal/config"
	"garnet/internal/events"
	"garnet/internal/kvstore"
)

// Schedule is the reminder plan of one invoice.
type Schedule struct {
	InvoiceID  string    `json:"invoice_id"`
	CustomerID string    `json:"customer_id"`
	Step       int       `json:"step"`
	NextAt     time.Time `json:"next_at"`
	Channel    string    `json:"channel"`
}

// Cadence is how far apart reminders go out, by step.
var Cadence = []time.Duration{3 * 24 * time.Hour, 7 * 24 * time.Hour, 14 * 24 * time.Hour, 30 * 24 * time.Hour}

// Planner maintains schedules in reaction to invoice and payment events.
type Planner struct {
	store kvstore.Store
	cfg   *config.Holder
}

// NewPlanner subscribes the planner to the bus.
func NewPlanner(st kvstore.Store, cfg *config.Holder, b *bus.Bus) *Planner {
	p := &Planner{store: st.WithPrefix("dun:"), cfg: cfg}
	mk := func(ctx context.Context) events.Visitor { return planVisitor{ctx: ctx, p: p} }
	b.Visit(events.InvoiceIssued{}.Topic(), mk)
	b.Visit((&events.PaymentReceived{}).Topic(), mk)
	return p
}

type planVisitor struct {
	events.Ignore
	ctx context.Context
	p   *Planner
}

func (v planVisitor) VisitInvoiceIssued(e events.InvoiceIssued) error {
	s := Schedule{InvoiceID: e.InvoiceID, CustomerID: e.CustomerID, NextAt: e.DueAt.Add(Cadence[0]), Channel: "email"}
	st := v.p.store.Scope("tenant:" + e.TenantID)
	return st.PutMany(v.ctx, []kvstore.Entry{{
		Key:   "sched:" + e.InvoiceID,
		Value: mustJSON(s),
		Meta:  map[string]any{"next_at": s.NextAt.Unix(), "step": 0},
	}})
}

func (v planVisitor) VisitPaymentReceived(e *events.PaymentReceived) error {
	return v.p.store.Scope("tenant:"+e.TenantID).Delete(v.ctx, "sched:"+e.InvoiceID)
}

// Advance moves a schedule to its next reminder after one was sent.
func (p *Planner) Advance(ctx context.Context, tenantID, invoiceID string) (Schedule, error) {
	st := p.store.Scope("tenant:" + tenantID)
	var s Schedule
	if err := st.GetJSON(ctx, "sched:"+invoiceID, &s); err != nil {
		return s, err
	}
	s.Step++
	if s.Step >= len(Cadence) {
		s.Channel = "collections"
		s.NextAt = time.Now().Add(Cadence[len(Cadence)-1])
	} else {
		s.NextAt = s.NextAt.Add(Cadence[s.Step])
	}
	return s, st.PutJSON(ctx, "sched:"+invoiceID, s, 0) // EXPECT kvrace
}

// Due returns the schedules of a tenant whose next reminder is due, reading
// only the listing's metadata. It stops after the configured page budget.
func (p *Planner) Due(ctx context.Context, tenantID string, now time.Time) ([]string, error) {
	st := p.store.Scope("tenant:" + tenantID)
	budget := p.cfg.Load().ListPageBudget
	var due []string
	cursor := ""
	for page := 0; page < budget; page++ {
		res, err := st.List(ctx, "sched:", cursor, 1000)
		if err != nil {
			return due, err
		}
		for _, k := range res.Keys {
			meta, _ := k.Metadata.(map[string]any)
			if at, ok := meta["next_at"].(float64); ok && int64(at) <= now.Unix() {
				due = append(due, strings.TrimPrefix(k.Name, st.Key("sched:")))
			}
		}
		if res.Cursor == "" {
			break
		}
		cursor = res.Cursor
	}
	return due, nil
}

// Sweep advances every due schedule of the given tenants; it runs once per
// cron tick and records when it last ran.
func (p *Planner) Sweep(ctx context.Context, tenants []string, send func(context.Context, string, string) error) error {
	var errs []error
	now := time.Now()
	for _, t := range tenants {
		ids, err := p.Due(ctx, t, now)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, id := range ids {
			if err := send(ctx, t, id); err != nil {
				errs = append(errs, err)
				continue
			}
			if _, err := p.Advance(ctx, t, id); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if err := p.store.Put(ctx, "last-sweep", []byte(now.UTC().Format(time.RFC3339))); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
