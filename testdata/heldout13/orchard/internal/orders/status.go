// Package orders places buyer orders and moves them through fulfilment.
package orders

import (
	"fmt"
	"slices"
)

// Status is where an order is in fulfilment.
type Status string

const (
	Pending   Status = "pending"
	Confirmed Status = "confirmed"
	Packed    Status = "packed"
	PickedUp  Status = "picked_up"
	Cancelled Status = "cancelled"
	Refunded  Status = "refunded"
)

// transitions is the table of allowed moves; anything not listed is refused.
var transitions = map[Status][]Status{
	Pending:   {Confirmed, Cancelled},
	Confirmed: {Packed, Cancelled},
	Packed:    {PickedUp, Cancelled},
	PickedUp:  {Refunded},
	Cancelled: {},
	Refunded:  {},
}

// Terminal reports whether no further move is allowed.
func (s Status) Terminal() bool { return len(transitions[s]) == 0 }

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	_, ok := transitions[s]
	return ok
}

// TransitionError is returned for a move the table does not allow.
type TransitionError struct {
	OrderID  string
	From, To Status
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("order %s: cannot move from %s to %s", e.OrderID, e.From, e.To)
}

func allowed(from, to Status) bool {
	return slices.Contains(transitions[from], to)
}
