// Package msgs holds the typed messages passed between dispatch actors. The
// messages carry the parts of KV keys and the lifetimes the receiver uses.
package msgs

import "time"

// PlaceOrder creates an order actor and moves it to "placed".
type PlaceOrder struct {
	OrderID      string
	RestaurantID string
	ZoneID       string
	CustomerID   string
	TotalCents   int64
	PlacedAt     time.Time
}

// OrderEvent drives an order's state machine.
type OrderEvent struct {
	OrderID   string
	Event     string // accept, assign, pick_up, deliver, cancel
	CourierID string
	PIN       string
	PINTTL    time.Duration
	Reason    string
}

// OrderSnapshot is the reply to OrderEvent and GetOrder.
type OrderSnapshot struct {
	OrderID   string
	State     string
	CourierID string
	Err       string
}

// GetOrder asks an order actor for its snapshot.
type GetOrder struct{ OrderID string }

// StartShift opens a courier session.
type StartShift struct {
	CourierID  string
	ZoneID     string
	SessionTTL time.Duration
	ShiftEnds  time.Time
}

// ShiftStarted is the reply to StartShift.
type ShiftStarted struct {
	SessionID string
	Err       error
}

// EndShift closes a courier session.
type EndShift struct {
	CourierID string
	SessionID string
}

// LocationPing is relayed from the edge to the courier actor in batches.
type LocationPing struct {
	CourierID string
	Lat, Lng  float64
	At        time.Time
}

// PingBatch carries the pings buffered by the edge for one courier.
type PingBatch struct {
	CourierID string
	Pings     []LocationPing
}

// OrderAssigned tells a courier actor it has a new active order.
type OrderAssigned struct {
	CourierID string
	OrderID   string
}

// OrderClosed tells a courier actor one of its orders finished.
type OrderClosed struct {
	CourierID string
	OrderID   string
}

// AssignRequest asks the dispatcher to assign a courier to an order.
type AssignRequest struct {
	OrderID      string
	ZoneID       string
	RestaurantID string
	Candidates   []string
}

// AssignReply is the dispatcher's answer.
type AssignReply struct {
	CourierID string
	Err       error
}

// SurgeSample is one demand/supply measurement for a zone.
type SurgeSample struct {
	ZoneID    string
	Demand    int
	Supply    int
	Window    time.Duration
	Collected time.Time
}

// SetSurge is an operator override for a zone.
type SetSurge struct {
	ZoneID     string
	Multiplier float64
	Until      time.Time
}

// FlushZone is sent by the zone actor's timer.
type FlushZone struct{}
