package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"gadwall/internal/activation"
	"gadwall/internal/clock"
	"gadwall/internal/keys"
	"gadwall/internal/kvstore"
	"gadwall/internal/license"
	"gadwall/internal/retry"
	"gadwall/internal/tenant"
)

// Processor applies payment-provider events.
type Processor struct {
	tenants    *tenant.Registry
	ops        kvstore.KV
	customers  kvstore.KV
	activation *activation.Service
	clock      clock.Clock
	policy     retry.Policy
}

// NewProcessor builds a Processor. ops keeps delivery bookkeeping and
// customers is the portal namespace.
func NewProcessor(tenants *tenant.Registry, ops, customers kvstore.KV, act *activation.Service, clk clock.Clock) *Processor {
	p := retry.Default
	p.Retryable = kvstore.Retryable
	return &Processor{tenants: tenants, ops: ops, customers: customers, activation: act, clock: clk, policy: p}
}

// Handle applies one event at most once.
func (p *Processor) Handle(ctx context.Context, ev Event) error {
	t, err := p.tenants.Lookup(ev.Tenant)
	if err != nil {
		return fmt.Errorf("webhook %s: %w", ev.ID, err)
	}
	seen := keys.WebhookEvent(ev.ID)
	if _, err := p.ops.Get(ctx, seen); err == nil {
		slog.Info("webhook: duplicate delivery", "event", ev.ID)
		return nil
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	if err := p.dispatch(ctx, t, ev); err != nil {
		return err
	}
	return p.ops.PutTTL(ctx, seen, []byte(p.clock.Now().Format(time.RFC3339)), 14*24*time.Hour) // DEBATABLE kvrace
}

func decode[T any](raw json.RawMessage) (T, error) {
	var v T
	err := json.Unmarshal(raw, &v)
	return v, err
}

func (p *Processor) dispatch(ctx context.Context, t *tenant.Tenant, ev Event) error {
	switch ev.Type {
	case "subscription.created", "subscription.updated", "subscription.canceled":
		d, err := decode[subscriptionData](ev.Data)
		if err != nil {
			return err
		}
		switch ev.Type {
		case "subscription.created":
			return p.subscriptionCreated(ctx, t, d)
		case "subscription.updated":
			return p.subscriptionUpdated(ctx, t, d)
		}
		return p.updateLicense(ctx, t, d.License, func(l *license.License) {
			l.Status, l.ExpiresAt = license.StatusCanceled, time.Unix(d.CurrentPeriodEnd, 0).UTC()
		})
	case "invoice.paid":
		d, err := decode[invoiceData](ev.Data)
		if err != nil {
			return err
		}
		paid := time.Unix(d.PaidThrough, 0).UTC()
		if err := p.updateLicense(ctx, t, d.License, func(l *license.License) {
			l.Status, l.ExpiresAt = license.StatusActive, paid
		}); err != nil {
			return err
		}
		return p.audit(ctx, t, d.License, fmt.Sprintf("paid %d cents through %s", d.AmountCents, paid.Format(time.DateOnly)))
	case "invoice.payment_failed":
		d, err := decode[invoiceData](ev.Data)
		if err != nil {
			return err
		}
		return p.updateLicense(ctx, t, d.License, func(l *license.License) { l.Status = license.StatusPastDue })
	case "charge.refunded":
		d, err := decode[refundData](ev.Data)
		if err != nil {
			return err
		}
		return p.refunded(ctx, t, d)
	case "customer.created":
		d, err := decode[customerData](ev.Data)
		if err != nil {
			return err
		}
		return p.customerCreated(ctx, d)
	case "customer.updated":
		d, err := decode[customerData](ev.Data)
		if err != nil {
			return err
		}
		return p.customerUpdated(ctx, d)
	default:
		slog.Debug("webhook: ignored event type", "type", ev.Type)
		return nil
	}
}

func featureSet(names []string) map[string]bool {
	out := make(map[string]bool, len(names))
	for _, n := range names {
		out[n] = true
	}
	return out
}

func (p *Processor) subscriptionCreated(ctx context.Context, t *tenant.Tenant, d subscriptionData) error {
	lics := license.NewLicenses(t.KV, p.clock)
	lic := lics.New(d.Customer, d.Product, d.Plan, d.Seats)
	if d.License != "" {
		lic.ID = d.License
	}
	lic.Features = featureSet(d.Features)
	lic.ExpiresAt = time.Unix(d.CurrentPeriodEnd, 0).UTC()
	if err := lic.Save(ctx); err != nil {
		return err
	}
	ent := Entitlement{Customer: d.Customer, Product: d.Product, Plan: d.Plan, Seats: d.Seats, Features: lic.Features, Updated: p.clock.Now()}
	b, err := json.Marshal(ent)
	if err != nil {
		return err
	}
	if err := t.KV.Put(ctx, keys.Entitlement{Customer: d.Customer, Product: d.Product}, b); err != nil {
		return err
	}
	// The portal's licence list is secondary; do not hold up the provider.
	go func(ctx context.Context) {
		k := keys.Static("customer-licenses/" + d.Customer)
		var ids []keys.LicenseID
		if raw, err := t.KV.Get(ctx, k); err == nil {
			_ = json.Unmarshal(raw, &ids)
		} else if !errors.Is(err, kvstore.ErrNotFound) {
			slog.Warn("webhook: licence index", "customer", d.Customer, "err", err)
			return
		}
		b, _ := json.Marshal(append(ids, lic.ID))
		if err := t.KV.Put(ctx, k, b); err != nil { // EXPECT kvrace
			slog.Warn("webhook: licence index", "customer", d.Customer, "err", err)
		}
	}(context.WithoutCancel(ctx))
	return p.audit(ctx, t, lic.ID, "created on plan "+d.Plan)
}

// subscriptionUpdated applies a plan change. Features granted by support
// (stored on the entitlement but not known to the provider) are kept.
func (p *Processor) subscriptionUpdated(ctx context.Context, t *tenant.Tenant, d subscriptionData) error {
	k := keys.Entitlement{Customer: d.Customer, Product: d.Product}
	err := retry.Do(ctx, p.policy, func(ctx context.Context) error {
		var ent Entitlement
		raw, err := t.KV.Get(ctx, k)
		switch {
		case errors.Is(err, kvstore.ErrNotFound):
			ent = Entitlement{Customer: d.Customer, Product: d.Product, Features: map[string]bool{}}
		case err != nil:
			return err
		default:
			if err := json.Unmarshal(raw, &ent); err != nil {
				return retry.Permanent(err)
			}
		}
		ent.Plan, ent.Seats, ent.Updated = d.Plan, d.Seats, p.clock.Now()
		for _, f := range d.Features {
			ent.Features[f] = true
		}
		b, err := json.Marshal(ent)
		if err != nil {
			return retry.Permanent(err)
		}
		return t.KV.Put(ctx, k, b) // EXPECT kvrace
	})
	if err != nil {
		return err
	}
	if err := p.updateLicense(ctx, t, d.License, func(l *license.License) {
		l.Plan, l.Seats = d.Plan, d.Seats
	}); err != nil {
		return err
	}
	return p.activation.Forget(ctx, t.ID, d.License)
}

// updateLicense applies change to a stored licence, atomically where the
// store offers it.
func (p *Processor) updateLicense(ctx context.Context, t *tenant.Tenant, id keys.LicenseID, change func(*license.License)) error {
	if m, ok := t.KV.(kvstore.Mutator); ok {
		return m.Mutate(ctx, id, func(old []byte) ([]byte, error) {
			if old == nil {
				return nil, license.ErrNotFound
			}
			var l license.License
			if err := json.Unmarshal(old, &l); err != nil {
				return nil, err
			}
			change(&l)
			l.UpdatedAt = p.clock.Now()
			return json.Marshal(&l)
		})
	}
	lic, err := license.NewLicenses(t.KV, p.clock).Find(ctx, id)
	if err != nil {
		return err
	}
	change(lic)
	return lic.Save(ctx) // EXPECT kvrace
}

func (p *Processor) refunded(ctx context.Context, t *tenant.Tenant, d refundData) error {
	if err := p.updateLicense(ctx, t, d.License, func(l *license.License) { l.Status = license.StatusRevoked }); err != nil {
		return err
	}
	for _, m := range d.Machines {
		if err := p.activation.RevokeGrant(ctx, d.License, m, "refund: "+d.Reason); err != nil {
			return err
		}
	}
	if err := p.activation.Forget(ctx, t.ID, d.License); err != nil {
		return err
	}
	return p.audit(ctx, t, d.License, "revoked after refund")
}

// audit appends a line to the licence's audit trail.
func (p *Processor) audit(ctx context.Context, t *tenant.Tenant, id keys.LicenseID, line string) error {
	k := keys.Audit(id)
	old, err := t.KV.Get(ctx, k)
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	next := string(old) + p.clock.Now().Format(time.RFC3339) + " " + line + "\n"
	return t.KV.Put(ctx, k, []byte(next)) // EXPECT kvrace
}

func (p *Processor) customerCreated(ctx context.Context, d customerData) error {
	k := keys.Customer(d.ID)
	if _, err := p.customers.Get(ctx, k); err != nil { // EXPECT kvnull
		b, err := json.Marshal(map[string]any{"id": d.ID, "email": d.Email, "name": d.Name, "created_at": p.clock.Now()})
		if err != nil {
			return err
		}
		return p.customers.Put(ctx, k, b) // DEBATABLE kvrace
	}
	return nil
}

func (p *Processor) customerUpdated(ctx context.Context, d customerData) error {
	b, err := json.Marshal(map[string]any{"id": d.ID, "email": d.Email, "name": d.Name})
	if err != nil {
		return err
	}
	if err := p.customers.Put(ctx, keys.Customer(d.ID), b); err != nil {
		return err
	}
	if d.OldEmail != "" && d.OldEmail != d.Email {
		if err := p.customers.Delete(ctx, keys.Email(d.OldEmail)); err != nil && !errors.Is(err, kvstore.ErrNotFound) {
			return err
		}
	}
	return p.customers.Put(ctx, keys.Email(d.Email), []byte(d.ID))
}
