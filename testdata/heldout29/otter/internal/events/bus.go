// Package events is the in-process domain event bus. Subscribers are
// registered at start-up and called synchronously, in registration order.
package events

import (
	"context"
	"errors"
	"fmt"
	"time"
)

type Event interface{ EventName() string }

// InvoiceFinalized is published when an invoice is issued.
type InvoiceFinalized struct {
	Tenant, InvoiceID, CustomerID, Number, Currency string
	AmountMinor                                     int64
	DueAt                                           time.Time
}

// InvoicePaid is published when an invoice is settled in full.
type InvoicePaid struct {
	Tenant, InvoiceID, CustomerID string
	PaidAt                        time.Time
}

// PaymentReceived is published for every captured payment.
type PaymentReceived struct {
	Tenant, PaymentID, InvoiceID, CustomerID, Currency string
	AmountMinor                                        int64
}

func (InvoiceFinalized) EventName() string { return "invoice.finalized" }
func (InvoicePaid) EventName() string      { return "invoice.paid" }
func (PaymentReceived) EventName() string  { return "payment.received" }

type Handler func(ctx context.Context, e Event) error

type subscriber struct {
	name string
	fn   Handler
}

// Bus fans events out to subscribers. Subscribe is called during
// start-up only, before the first Publish.
type Bus struct{ subs []subscriber }

func (b *Bus) Subscribe(name string, fn Handler) {
	b.subs = append(b.subs, subscriber{name: name, fn: fn})
}

// Publish calls every subscriber and joins their errors.
func (b *Bus) Publish(ctx context.Context, e Event) error {
	var errs []error
	for _, s := range b.subs {
		if err := s.fn(ctx, e); err != nil {
			errs = append(errs, fmt.Errorf("%s on %s: %w", s.name, e.EventName(), err))
		}
	}
	return errors.Join(errs...)
}
