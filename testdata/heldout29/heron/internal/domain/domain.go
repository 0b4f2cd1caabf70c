// Package domain holds the value types shared by the edge worker and the
// backend service: tickets, time slots, members, gift cards and pledges.
package domain

import (
	"errors"
	"fmt"
	"time"
)

// TicketID identifies a timed-entry ticket; it is printed on the QR code.
type TicketID string

// SlotID identifies one timed-entry window of an exhibit.
type SlotID string

// TicketStatus is the lifecycle state of a ticket.
type TicketStatus string

const (
	TicketIssued   TicketStatus = "issued"
	TicketRefunded TicketStatus = "refunded"
)

// Slot is a timed-entry window with a fixed capacity.
type Slot struct {
	ID        SlotID    `json:"id"`
	ExhibitID string    `json:"exhibit_id"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	Capacity  int       `json:"capacity"`
}

// Open reports whether the slot admits visitors at t. Doors open fifteen
// minutes early and close at the end of the window.
func (s Slot) Open(t time.Time) bool {
	return !t.Before(s.Start.Add(-15*time.Minute)) && t.Before(s.End)
}

// Ticket is a single admission.
type Ticket struct {
	ID       TicketID     `json:"id"`
	SlotID   SlotID       `json:"slot_id"`
	MemberID string       `json:"member_id,omitempty"`
	Holder   string       `json:"holder"`
	Status   TicketStatus `json:"status"`
	IssuedAt time.Time    `json:"issued_at"`
	PriceCts int64        `json:"price_cents"`
}

// Member is a museum member as the CRM returns it at login.
type Member struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
	Tier  string `json:"tier"`
}

// Session is a logged-in member session.
type Session struct {
	ID        string    `json:"id"`
	MemberID  string    `json:"member_id"`
	Tier      string    `json:"tier"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
	UserAgent string    `json:"ua,omitempty"`
}

// CartItem is one line of a member's basket.
type CartItem struct {
	SlotID SlotID `json:"slot_id"`
	Qty    int    `json:"qty"`
	Kind   string `json:"kind"`
}

// Cart is the basket a member builds before checkout.
type Cart struct {
	MemberID  string     `json:"member_id"`
	Items     []CartItem `json:"items"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// Redemption records one use of a gift card.
type Redemption struct {
	At        time.Time `json:"at"`
	AmountCts int64     `json:"amount_cents"`
	OrderID   string    `json:"order_id"`
}

// GiftCard is a stored-value card sold in the shop.
type GiftCard struct {
	Code       string       `json:"code"`
	BalanceCts int64        `json:"balance_cents"`
	Currency   string       `json:"currency"`
	IssuedTo   string       `json:"issued_to,omitempty"`
	ValidUntil time.Time    `json:"valid_until"`
	Version    int64        `json:"version"`
	History    []Redemption `json:"history,omitempty"`
}

// ErrInsufficientBalance is returned when a redemption exceeds the balance.
var ErrInsufficientBalance = errors.New("gift card: insufficient balance")

// Debit takes amount off the card and records the redemption.
func (g *GiftCard) Debit(amount int64, orderID string, at time.Time) error {
	if amount <= 0 {
		return fmt.Errorf("gift card: invalid amount %d", amount)
	}
	if amount > g.BalanceCts {
		return ErrInsufficientBalance
	}
	g.BalanceCts -= amount
	g.History = append(g.History, Redemption{At: at, AmountCts: amount, OrderID: orderID})
	return nil
}

// PledgeStatus is the state of a donor pledge.
type PledgeStatus string

const PledgeOpen PledgeStatus = "open"

// Pledge is a promise of a donation, usually paid in instalments.
type Pledge struct {
	ID        string       `json:"id"`
	DonorID   string       `json:"donor_id"`
	Fund      string       `json:"fund"`
	AmountCts int64        `json:"amount_cents"`
	DueAt     time.Time    `json:"due_at"`
	Status    PledgeStatus `json:"status"`
	CreatedAt time.Time    `json:"created_at"`
}

// Exhibit is a show with its own timed-entry schedule.
type Exhibit struct {
	ID       string    `json:"id"`
	Title    string    `json:"title"`
	Gallery  string    `json:"gallery"`
	Opens    time.Time `json:"opens"`
	Closes   time.Time `json:"closes"`
	Featured bool      `json:"featured"`
}

// AudioTrack is a downloadable audio-guide chapter.
type AudioTrack struct {
	ID        string `json:"id"`
	ExhibitID string `json:"exhibit_id"`
	Lang      string `json:"lang"`
	Title     string `json:"title"`
	SizeBytes int64  `json:"size_bytes"`
}

// Scanner is a handheld device used by gate staff.
type Scanner struct {
	ID         string    `json:"id"`
	Gate       string    `json:"gate"`
	StaffID    string    `json:"staff_id"`
	Registered time.Time `json:"registered"`
}
