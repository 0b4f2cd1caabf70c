// Package domain holds the ticketing model and the persistence ports the
// rest of the worker depends on. Nothing in here knows about Workers KV.
package domain

import (
	"errors"
	"time"
)

var (
	ErrSoldOut       = errors.New("event sold out")
	ErrSeatHeld      = errors.New("seat is held by another customer")
	ErrEventStarted  = errors.New("event has already started")
	ErrQuotaExceeded = errors.New("per-customer ticket limit reached")
	ErrForbidden     = errors.New("forbidden")
)

// Event is the catalogue entry for a show. The source of truth is the
// events table in D1; KV only ever holds read-shaped copies.
type Event struct {
	ID         string    `json:"id"`
	Slug       string    `json:"slug"`
	Title      string    `json:"title"`
	Venue      string    `json:"venue"`
	Capacity   int       `json:"capacity"`
	PriceCents int64     `json:"price_cents"`
	SalesStart time.Time `json:"sales_start"`
	SalesEnd   time.Time `json:"sales_end"`
	StartsAt   time.Time `json:"starts_at"`
	EndsAt     time.Time `json:"ends_at"`
}

// PageOverrides are organiser-editable bits of an event page that only live
// in KV (banner, highlight colour, pinned notice).
type PageOverrides struct {
	Banner       string    `json:"banner,omitempty"`
	Accent       string    `json:"accent,omitempty"`
	PinnedNotice string    `json:"pinned_notice,omitempty"`
	Hidden       bool      `json:"hidden,omitempty"`
	UpdatedBy    string    `json:"updated_by,omitempty"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Hold reserves a single seat for a customer while they check out.
type Hold struct {
	EventID    string     `json:"event_id"`
	Seat       string     `json:"seat"`
	UserID     string     `json:"user_id"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	ExtendedAt *time.Time `json:"extended_at,omitempty"`
}

type OrderStatus string

const (
	OrderPending   OrderStatus = "pending"
	OrderPaid      OrderStatus = "paid"
	OrderCancelled OrderStatus = "cancelled"
	OrderRefunded  OrderStatus = "refunded"
)

type Order struct {
	ID          string      `json:"id"`
	Number      int64       `json:"number"`
	EventID     string      `json:"event_id"`
	UserID      string      `json:"user_id"`
	Seats       []string    `json:"seats"`
	Qty         int         `json:"qty"`
	TotalCents  int64       `json:"total_cents"`
	Status      OrderStatus `json:"status"`
	PaymentRef  string      `json:"payment_ref,omitempty"`
	CreatedAt   time.Time   `json:"created_at"`
	CancelledAt *time.Time  `json:"cancelled_at,omitempty"`
}

// Inventory is the edge-side view of how many tickets are left.
type Inventory struct {
	EventID   string    `json:"event_id"`
	Remaining int       `json:"remaining"`
	UpdatedAt time.Time `json:"updated_at"`
}

type Promo struct {
	Code          string    `json:"code"`
	OwnerID       string    `json:"owner_id"`
	EventID       string    `json:"event_id,omitempty"`
	PercentOff    int       `json:"percent_off"`
	MaxUses       int       `json:"max_uses"`
	ValidUntil    time.Time `json:"valid_until"`
	CreatedAt     time.Time `json:"created_at"`
	Description   string    `json:"description,omitempty"`
	RequiresLogin bool      `json:"requires_login"`
}

type Session struct {
	ID        string    `json:"id"`
	UserID    string    `json:"user_id"`
	Email     string    `json:"email"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
}

type CartItem struct {
	EventID    string `json:"event_id"`
	Tier       string `json:"tier"`
	Qty        int    `json:"qty"`
	PriceCents int64  `json:"price_cents"`
}

type Cart struct {
	Items     []CartItem `json:"items"`
	UpdatedAt time.Time  `json:"updated_at"`
}
