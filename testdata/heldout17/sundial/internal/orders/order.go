// Package orders holds the order state machine and the payment provider
// webhooks that drive it.
package orders

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// Status is a state of the order state machine.
type Status string

// Order states.
const (
	Pending   Status = "pending"
	Paid      Status = "paid"
	Fulfilled Status = "fulfilled"
	Cancelled Status = "cancelled"
	Refunded  Status = "refunded"
)

var transitions = map[Status][]Status{
	Pending:   {Paid, Cancelled},
	Paid:      {Fulfilled, Refunded},
	Fulfilled: {Refunded},
}

// Transition records one state change.
type Transition struct {
	From   Status    `json:"from"`
	To     Status    `json:"to"`
	At     time.Time `json:"at"`
	Reason string    `json:"reason,omitempty"`
}

// Order is a buyer's purchase of seats for one event.
type Order struct {
	ID          string       `json:"id"`
	Tenant      string       `json:"tenant"`
	EventID     string       `json:"event_id"`
	HoldID      string       `json:"hold_id"`
	BuyerEmail  string       `json:"buyer_email"`
	Seats       []string     `json:"seats"`
	AmountCents int64        `json:"amount_cents"`
	Currency    string       `json:"currency"`
	Status      Status       `json:"status"`
	PaymentRef  string       `json:"payment_ref,omitempty"`
	History     []Transition `json:"history"`
	CreatedAt   time.Time    `json:"created_at"`
}

var (
	// ErrNotFound is returned for an unknown order.
	ErrNotFound = errors.New("orders: not found")
	// ErrDuplicate is returned for a webhook delivery already processed.
	ErrDuplicate = errors.New("orders: duplicate delivery")
	// ErrAlreadyOrdered is returned when a hold was already checked out.
	ErrAlreadyOrdered = errors.New("orders: hold already checked out")
)

// TransitionError reports a transition the state machine forbids.
type TransitionError struct {
	From, To Status
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("orders: cannot move from %s to %s", e.From, e.To)
}

// Can reports whether o may move to status to.
func (o Order) Can(to Status) bool {
	return slices.Contains(transitions[o.Status], to)
}

// apply moves o to status to, recording the transition.
func (o *Order) apply(to Status, at time.Time, reason string) error {
	if !o.Can(to) {
		return &TransitionError{From: o.Status, To: to}
	}
	o.History = append(o.History, Transition{From: o.Status, To: to, At: at, Reason: reason})
	o.Status = to
	return nil
}
