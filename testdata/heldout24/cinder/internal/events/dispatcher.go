// Package events consumes tenant domain events and maintains the read
// projections the dashboard shows.
package events

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"strconv"
	"time"

	"example.com/cinder/internal/clock"
	"example.com/cinder/internal/domain"
	"example.com/cinder/internal/policy"
	"example.com/cinder/internal/storage"
)

// TenantStore is a store that can be narrowed to one tenant.
type TenantStore interface {
	storage.Store
	storage.TenantScoped
}

// PlanLookup resolves a tenant's plan.
type PlanLookup func(ctx context.Context, tenant string) (domain.Plan, error)

// ActivityItem is one line of a tenant's activity feed.
type ActivityItem struct {
	At   time.Time `json:"at"`
	Text string    `json:"text"`
}

const feedLength = 50

// Dispatcher routes each event to its projection.
type Dispatcher struct {
	store TenantStore
	plans PlanLookup
	clock clock.Clock
}

// NewDispatcher builds a Dispatcher.
func NewDispatcher(store TenantStore, plans PlanLookup, c clock.Clock) *Dispatcher {
	return &Dispatcher{store: store, plans: plans, clock: c}
}

// Handle applies one event.
func (d *Dispatcher) Handle(ctx context.Context, ev domain.Event) error {
	view := d.store.ForTenant(ev.Tenant())
	var err error
	switch m := ev.(type) {
	case *domain.ExpenseSubmitted:
		err = d.appendActivity(ctx, view, m.OccurredAt(),
			fmt.Sprintf("Expense %s submitted (%d cents)", m.ExpenseID, m.AmountCents))
	case *domain.ExpenseDecided:
		err = d.appendActivity(ctx, view, m.OccurredAt(),
			fmt.Sprintf("Expense %s %s by %s", m.ExpenseID, m.Decision, m.ApproverID))
	case *domain.InvoiceIssued:
		err = view.Put(ctx, "invoice-number:"+m.Number, []byte(m.InvoiceID))
	case *domain.InvoiceSent:
		err = d.bumpSent(ctx, view)
	case *domain.ExportRequested:
		err = d.recordExport(ctx, view, m)
	case *domain.ConfigChanged:
		err = view.Delete(ctx, "tenantcfg-cache")
	default:
		return fmt.Errorf("events: unhandled %T", ev)
	}
	return err
}

func (d *Dispatcher) appendActivity(ctx context.Context, view storage.Store, at time.Time, text string) error {
	var feed []ActivityItem
	b, err := view.Get(ctx, "activity")
	switch {
	case err == nil:
		if err := json.Unmarshal(b, &feed); err != nil {
			feed = nil
		}
	case !storage.IsNotFound(err):
		return err
	}
	feed = append(feed, ActivityItem{At: at, Text: text})
	if len(feed) > feedLength {
		feed = feed[len(feed)-feedLength:]
	}
	out, err := json.Marshal(feed)
	if err != nil {
		return err
	}
	return view.Put(ctx, "activity", out) // EXPECT kvrace
}

func (d *Dispatcher) bumpSent(ctx context.Context, view storage.Store) error {
	n := 0
	if b, err := view.Get(ctx, "count:invoices-sent"); err == nil {
		n, _ = strconv.Atoi(string(b))
	} else if !storage.IsNotFound(err) {
		return err
	}
	return view.Put(ctx, "count:invoices-sent", []byte(strconv.Itoa(n+1))) // EXPECT kvcounter
}

func (d *Dispatcher) recordExport(ctx context.Context, view storage.Store, m *domain.ExportRequested) error {
	plan, err := d.plans(ctx, m.Tenant())
	if err != nil {
		return err
	}
	retention := policy.ExportRetention(plan)
	rec := domain.ReportExport{
		ID:        m.ExportID,
		TenantID:  m.Tenant(),
		Kind:      m.Kind,
		CreatedAt: d.clock.Now(),
		ExpiresAt: d.clock.Now().Add(retention),
	}
	return storage.Save(ctx, view, rec, retention)
}

// HandleBatch applies events in order and records progress after each one so
// a redelivered batch can skip what was already applied.
func (d *Dispatcher) HandleBatch(ctx context.Context, evs []domain.Event) error {
	for i, ev := range evs {
		if err := d.Handle(ctx, ev); err != nil {
			return fmt.Errorf("event %d: %w", i, err)
		}
		mark := []byte(ev.OccurredAt().UTC().Format(time.RFC3339Nano))
		if err := d.store.Put(ctx, "consumer:checkpoint", mark); err != nil { // EXPECT kvhotkey
			log.Printf("checkpoint: %v", err)
		}
	}
	return nil
}
