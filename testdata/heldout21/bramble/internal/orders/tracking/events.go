// Package tracking maintains the customer-facing status of each order: the
// timeline shown in the app, the live status line, the ETA and shareable
// tracking links.
package tracking

import (
	"encoding/json"
	"fmt"
	"time"

	"example.com/bramble/internal/ids"
)

// Event is any order lifecycle event published by the order service.
type Event interface {
	OrderID() ids.OrderID
	OccurredAt() time.Time
}

type base struct {
	Order ids.OrderID `json:"order"`
	At    time.Time   `json:"at"`
}

func (b base) OrderID() ids.OrderID  { return b.Order }
func (b base) OccurredAt() time.Time { return b.At }

type OrderPlaced struct {
	base
	Restaurant ids.RestaurantID `json:"restaurant"`
	Customer   ids.CustomerID   `json:"customer"`
}

type CourierAssigned struct {
	base
	Courier ids.CourierID `json:"courier"`
	ETA     time.Time     `json:"eta"`
}

type PickedUp struct {
	base
	ETA time.Time `json:"eta"`
}

type Delivered struct {
	base
	Restaurant ids.RestaurantID `json:"restaurant"`
}

type Cancelled struct {
	base
	Reason string `json:"reason"`
}

// Message is the envelope on the order-events queue.
type Message struct {
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload"`
}

func decodeAs[T Event](raw json.RawMessage) (Event, error) {
	var ev T
	err := json.Unmarshal(raw, &ev)
	return ev, err
}

var decoders = map[string]func(json.RawMessage) (Event, error){
	"order.placed":           decodeAs[OrderPlaced],
	"order.courier_assigned": decodeAs[CourierAssigned],
	"order.picked_up":        decodeAs[PickedUp],
	"order.delivered":        decodeAs[Delivered],
	"order.cancelled":        decodeAs[Cancelled],
}

// Decode turns a queue message into a typed event.
func Decode(m Message) (Event, error) {
	decode, ok := decoders[m.Type]
	if !ok {
		return nil, fmt.Errorf("tracking: unknown event type %q", m.Type)
	}
	ev, err := decode(m.Payload)
	if err != nil {
		return nil, fmt.Errorf("tracking: decode %s: %w", m.Type, err)
	}
	return ev, nil
}

// Status is the short status shown on the order card.
type Status string

const (
	StatusPlaced    Status = "placed"
	StatusAssigned  Status = "courier_assigned"
	StatusOnTheWay  Status = "on_the_way"
	StatusDelivered Status = "delivered"
	StatusCancelled Status = "cancelled"
)

// Describe returns the status and a timeline line for an event.
func Describe(ev Event) (st Status, line string) {
	switch e := ev.(type) {
	case OrderPlaced:
		return StatusPlaced, "Order sent to the restaurant"
	case CourierAssigned:
		return StatusAssigned, fmt.Sprintf("Courier assigned, arriving around %s", e.ETA.Format("15:04"))
	case PickedUp:
		return StatusOnTheWay, fmt.Sprintf("Picked up, arriving around %s", e.ETA.Format("15:04"))
	case Delivered:
		return StatusDelivered, "Delivered. Enjoy your meal!"
	case Cancelled:
		return StatusCancelled, "Order cancelled: " + e.Reason
	default:
		return "", ""
	}
}

// Terminal reports whether no further events are expected.
func (s Status) Terminal() bool { return s == StatusDelivered || s == StatusCancelled }
