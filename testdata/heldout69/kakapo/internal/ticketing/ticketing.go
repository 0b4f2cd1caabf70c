// Package ticketing models seat holds and checkout sessions for the house's
// ticketed preview evenings and sale-room seating.
package ticketing

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// ErrSeatTaken is returned when another bidder already holds the seat.
var ErrSeatTaken = errors.New("ticketing: seat is held by someone else")

// SeatHold reserves one seat while its holder pays.
type SeatHold struct {
	EventID   string    `json:"event_id"`
	Seat      string    `json:"seat"`
	HolderID  string    `json:"holder_id"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// LineItem is one thing in a checkout.
type LineItem struct {
	SKU        string `json:"sku"`
	Seat       string `json:"seat,omitempty"`
	PriceCents int64  `json:"price_cents"`
	Qty        int    `json:"qty"`
}

// Checkout is a buyer's open checkout session.
type Checkout struct {
	ID        string     `json:"id"`
	BuyerID   string     `json:"buyer_id"`
	EventID   string     `json:"event_id"`
	Items     []LineItem `json:"items"`
	CreatedAt time.Time  `json:"created_at"`
}

// Total is the checkout's amount due.
func (c Checkout) Total() int64 {
	var t int64
	for _, it := range c.Items {
		t += it.PriceCents * int64(it.Qty)
	}
	return t
}

// NewCheckoutID returns a fresh random checkout identifier.
func NewCheckoutID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return "co_" + hex.EncodeToString(b[:])
}

// Key layout of the TICKETS namespace.
func HoldKey(eventID, seat string) string { return "hold:" + eventID + ":" + seat }
func HoldPrefix(eventID string) string    { return "hold:" + eventID + ":" }
func CheckoutKey(id string) string        { return "checkout:" + id }
func SeatKey(eventID string, row, n int) string {
	return fmt.Sprintf("seat:%s:%02d-%03d", eventID, row, n)
}
