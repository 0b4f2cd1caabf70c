// Package domain holds the co-working network's core types. Nothing in here
// knows how or where the types are stored.
package domain

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Common domain errors, mapped to HTTP statuses by the handlers.
var (
	ErrConflict           = errors.New("conflict")
	ErrForbidden          = errors.New("forbidden")
	ErrExpired            = errors.New("expired")
	ErrInsufficientCredit = errors.New("insufficient printing credit")
	ErrQuotaExceeded      = errors.New("quota exceeded")
	ErrUnknown            = errors.New("unknown")
)

type (
	MemberID      string
	SiteID        string
	BookingKind   string
	BookingStatus string
	InviteStatus  string
)

const (
	KindDesk  BookingKind = "desk"
	KindRoom  BookingKind = "room"
	KindPhone BookingKind = "phone"

	StatusHeld      BookingStatus = "held"
	StatusConfirmed BookingStatus = "confirmed"
	StatusCancelled BookingStatus = "cancelled"

	InvitePending InviteStatus = "pending"
	InviteArrived InviteStatus = "arrived"
)

// Member is a person with an account at one or more sites.
type Member struct {
	ID       MemberID `json:"id"`
	Email    string   `json:"email"`
	Name     string   `json:"name"`
	LastSeen int64    `json:"last_seen,omitempty"`
}

// Pass grants access to a set of sites for a period.
type Pass struct {
	ID         string    `json:"id"`
	Member     MemberID  `json:"member"`
	Sites      []SiteID  `json:"sites"`
	ValidFrom  time.Time `json:"valid_from"`
	ValidUntil time.Time `json:"valid_until"`
}

// Active reports whether the pass is valid at t.
func (p Pass) Active(t time.Time) bool {
	return !t.Before(p.ValidFrom) && t.Before(p.ValidUntil)
}

// Booking reserves a desk, room or phone booth for a slot.
type Booking struct {
	ID       string        `json:"id"`
	Member   MemberID      `json:"member"`
	Site     SiteID        `json:"site"`
	Resource string        `json:"resource"`
	Kind     BookingKind   `json:"kind"`
	Start    time.Time     `json:"start"`
	End      time.Time     `json:"end"`
	Status   BookingStatus `json:"status"`
	Guests   []string      `json:"guests,omitempty"`
}

// Day returns the booking's calendar day in UTC as YYYY-MM-DD.
func (b Booking) Day() string { return b.Start.UTC().Format(time.DateOnly) }

// Validate checks the invariants the API promises.
func (b Booking) Validate() error {
	switch {
	case b.Member == "":
		return fmt.Errorf("booking: member required")
	case b.Resource == "" || strings.ContainsAny(b.Resource, ":/"):
		return fmt.Errorf("booking: bad resource %q", b.Resource)
	case !b.End.After(b.Start) || b.End.Sub(b.Start) > 12*time.Hour:
		return fmt.Errorf("booking: bad time range")
	}
	return nil
}

// DoorCode opens a site's door until it expires.
type DoorCode struct {
	Code       string    `json:"code"`
	Site       SiteID    `json:"site"`
	Member     MemberID  `json:"member"`
	ValidUntil time.Time `json:"valid_until"`
	SingleUse  bool      `json:"single_use,omitempty"`
}

// GuestInvite lets a member bring a visitor for a day.
type GuestInvite struct {
	ID         string       `json:"id"`
	Host       MemberID     `json:"host"`
	GuestEmail string       `json:"guest_email"`
	GuestName  string       `json:"guest_name"`
	Site       SiteID       `json:"site"`
	Day        string       `json:"day"`
	Status     InviteStatus `json:"status"`
}

// DayPassPurchase is a one-day pass bought by a non-member.
type DayPassPurchase struct {
	ID          string    `json:"id"`
	Email       string    `json:"email"`
	Site        SiteID    `json:"site"`
	Day         string    `json:"day"`
	AmountCents int64     `json:"amount_cents"`
	PaymentRef  string    `json:"payment_ref"`
	PurchasedAt time.Time `json:"purchased_at"`
}

// CartItem is one line of a visitor's day-pass cart.
type CartItem struct {
	Site     SiteID `json:"site"`
	Day      string `json:"day"`
	Quantity int    `json:"quantity"`
}

// PrintJob is a document sent to a site printer.
type PrintJob struct {
	ID      string   `json:"id"`
	Member  MemberID `json:"member"`
	Printer string   `json:"printer"`
	Pages   int      `json:"pages"`
	Color   bool     `json:"color,omitempty"`
}

// Cost is the job's price in credits; colour pages cost four.
func (j PrintJob) Cost() int {
	if j.Color {
		return j.Pages * 4
	}
	return j.Pages
}

// Occupancy is a site's headcount snapshot.
type Occupancy struct {
	Site      SiteID    `json:"site"`
	Present   int       `json:"present"`
	Capacity  int       `json:"capacity"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Session is a logged-in member's browser or app session.
type Session struct {
	ID        string
	Member    MemberID
	Agent     string
	CreatedAt time.Time
	ExpiresAt time.Time
}
