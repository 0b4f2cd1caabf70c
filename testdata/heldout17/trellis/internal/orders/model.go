// Package orders implements order placement and the order state machine.
package orders

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// Status is a position in the order lifecycle.
type Status string

const (
	Pending   Status = "pending"
	Confirmed Status = "confirmed"
	Picking   Status = "picking"
	Shipped   Status = "shipped"
	Delivered Status = "delivered"
	Cancelled Status = "cancelled"
	Returned  Status = "returned"
)

var transitions = map[Status][]Status{
	Pending:   {Confirmed, Cancelled},
	Confirmed: {Picking, Cancelled},
	Picking:   {Shipped, Cancelled},
	Shipped:   {Delivered, Returned},
	Delivered: {Returned},
}

var (
	ErrBadTransition = errors.New("orders: transition not allowed")
	ErrNotFound      = errors.New("orders: no such order")
)

// Terminal reports whether no further transitions are possible.
func (s Status) Terminal() bool { return len(transitions[s]) == 0 }

// Line is one SKU on an order.
type Line struct {
	SKU       string `json:"sku"`
	Qty       int    `json:"qty"`
	UnitCents int64  `json:"unit_cents"`
}

// Transition records one status change.
type Transition struct {
	From, To Status
	At       time.Time
	Actor    string
	Reason   string `json:",omitempty"`
}

// Order is a customer's order with a nursery.
type Order struct {
	ID         string       `json:"id"`
	Tenant     string       `json:"tenant"`
	Customer   string       `json:"customer"`
	Status     Status       `json:"status"`
	Lines      []Line       `json:"lines"`
	TotalCents int64        `json:"total_cents"`
	CreatedAt  time.Time    `json:"created_at"`
	UpdatedAt  time.Time    `json:"updated_at"`
	History    []Transition `json:"history"`
}

func (o *Order) Move(next Status, actor, reason string, at time.Time) error {
	if !slices.Contains(transitions[o.Status], next) {
		return fmt.Errorf("%w: %s -> %s", ErrBadTransition, o.Status, next)
	}
	o.History = append(o.History, Transition{From: o.Status, To: next, At: at, Actor: actor, Reason: reason})
	o.Status, o.UpdatedAt = next, at
	return nil
}

// Summary is what order lists show.
type Summary struct {
	ID         string `json:"id"`
	Customer   string `json:"customer,omitempty"`
	Status     Status `json:"status"`
	Items      int    `json:"items,omitempty"`
	TotalCents int64  `json:"total_cents"`
}

// Summarise returns o's list view.
func (o Order) Summarise() Summary {
	s := Summary{ID: o.ID, Customer: o.Customer, Status: o.Status, TotalCents: o.TotalCents}
	for _, l := range o.Lines {
		s.Items += l.Qty
	}
	return s
}
