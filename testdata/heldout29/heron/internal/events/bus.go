// Package events is a small in-process observer list. Subscribers are
// registered at start-up and called synchronously, in order, on each event.
package events

import (
	"context"
	"errors"
	"time"

	"example.com/heron/internal/domain"
)

// Event is a domain event.
type Event interface {
	EventName() string
}

// Subscriber receives events.
type Subscriber interface {
	Notify(ctx context.Context, e Event) error
}

// SubscriberFunc adapts a function to Subscriber.
type SubscriberFunc func(ctx context.Context, e Event) error

// Notify calls f.
func (f SubscriberFunc) Notify(ctx context.Context, e Event) error { return f(ctx, e) }

// Bus fans events out to subscribers. Subscribe during start-up only; the
// list is read without locking afterwards.
type Bus struct {
	subs []Subscriber
}

// Subscribe adds s to the list.
func (b *Bus) Subscribe(s ...Subscriber) {
	b.subs = append(b.subs, s...)
}

// On registers a function for events of one name.
func (b *Bus) On(name string, fn func(ctx context.Context, e Event) error) {
	b.Subscribe(SubscriberFunc(func(ctx context.Context, e Event) error {
		if e.EventName() != name {
			return nil
		}
		return fn(ctx, e)
	}))
}

// Publish calls every subscriber and joins their errors. A failing
// subscriber does not stop the others.
func (b *Bus) Publish(ctx context.Context, e Event) error {
	var errs []error
	for _, s := range b.subs {
		if err := s.Notify(ctx, e); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// TicketSold is published when an order is paid.
type TicketSold struct {
	Ticket domain.Ticket
}

func (TicketSold) EventName() string { return "ticket.sold" }

// TicketScanned is published when a gate scanner admits a ticket.
type TicketScanned struct {
	TicketID  domain.TicketID
	SlotID    domain.SlotID
	MemberID  string
	ScannerID string
	Gate      string
	At        time.Time
}

func (TicketScanned) EventName() string { return "ticket.scanned" }

// PledgeReceived is published when a donor makes a pledge.
type PledgeReceived struct {
	Pledge domain.Pledge
}

func (PledgeReceived) EventName() string { return "pledge.received" }

// PasswordChanged is published after a member changes their password.
type PasswordChanged struct {
	MemberID string
	At       time.Time
}

func (PasswordChanged) EventName() string { return "member.password_changed" }
