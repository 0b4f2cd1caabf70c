// Package domain holds the waiting-room and ticket-drop model shared by every
// layer of wharf: drops, queue tickets, admission tokens, lobby presence,
// encore polls, referral codes and waiting-room experiments.
package domain

import (
	"slices"
	"time"
)

// Position is a visitor's place in a drop's queue. Positions start at 1.
type Position int64

// Drop is a single on-sale event for a concert.
type Drop struct {
	ID               string        `json:"id"`
	Artist           string        `json:"artist"`
	Venue            string        `json:"venue"`
	OnSaleAt         time.Time     `json:"on_sale_at"`
	ClosesAt         time.Time     `json:"closes_at"`
	CheckoutWindow   time.Duration `json:"checkout_window"`
	Capacity         int           `json:"capacity"`
	AdmitPerMinute   int           `json:"admit_per_minute"`
	WaitingRoomExpID string        `json:"waiting_room_experiment,omitempty"`
}

// Open reports whether visitors may join the queue at t.
func (d Drop) Open(t time.Time) bool {
	return !t.Before(d.OnSaleAt.Add(-2*time.Hour)) && t.Before(d.ClosesAt)
}

// TicketStatus is the lifecycle of a queue ticket.
type TicketStatus string

const (
	TicketWaiting  TicketStatus = "waiting"
	TicketAdmitted TicketStatus = "admitted"
)

// QueueTicket is a visitor's place in line for a drop.
type QueueTicket struct {
	ID         string       `json:"id"`
	DropID     string       `json:"drop_id"`
	VisitorID  string       `json:"visitor_id"`
	Position   Position     `json:"position"`
	Status     TicketStatus `json:"status"`
	JoinedAt   time.Time    `json:"joined_at"`
	AdmittedAt time.Time    `json:"admitted_at,omitzero"`
	Variant    string       `json:"variant,omitempty"`
}

// TokenStatus is the lifecycle of an admission token.
type TokenStatus string

const (
	TokenActive   TokenStatus = "active"
	TokenRevoked  TokenStatus = "revoked"
	TokenRedeemed TokenStatus = "redeemed"
)

// AdmissionToken lets an admitted visitor through to checkout.
type AdmissionToken struct {
	Token     string      `json:"token"`
	DropID    string      `json:"drop_id"`
	TicketID  string      `json:"ticket_id"`
	VisitorID string      `json:"visitor_id"`
	IssuedAt  time.Time   `json:"issued_at"`
	ExpiresAt time.Time   `json:"expires_at"`
	Status    TokenStatus `json:"status"`
	Reason    string      `json:"reason,omitempty"`
}

// Usable reports whether the token can still be presented at t.
func (t AdmissionToken) Usable(at time.Time) bool {
	return t.Status == TokenActive && at.Before(t.ExpiresAt)
}

// PresenceEntry records that a visitor was seen in a lobby.
type PresenceEntry struct {
	RoomID    string    `json:"room_id"`
	VisitorID string    `json:"visitor_id"`
	Client    string    `json:"client,omitempty"`
	SeenAt    time.Time `json:"seen_at"`
}

// Poll is an encore vote shown in the lobby while fans wait.
type Poll struct {
	ID       string    `json:"id"`
	DropID   string    `json:"drop_id"`
	Question string    `json:"question"`
	Options  []string  `json:"options"`
	ClosesAt time.Time `json:"closes_at"`
}

// Accepts reports whether option is one of the poll's choices.
func (p Poll) Accepts(option string) bool { return slices.Contains(p.Options, option) }

// Ballot is one visitor's vote.
type Ballot struct {
	PollID    string    `json:"poll_id"`
	VisitorID string    `json:"visitor_id"`
	Option    string    `json:"option"`
	CastAt    time.Time `json:"cast_at"`
}

// Tally is a poll's vote totals per option.
type Tally struct {
	PollID string           `json:"poll_id"`
	Counts map[string]int64 `json:"counts"`
}

// Total returns the number of ballots in the tally.
func (t Tally) Total() int64 {
	var n int64
	for _, c := range t.Counts {
		n += c
	}
	return n
}

// ReferralCode is a fan's shareable code that moves friends up the queue.
type ReferralCode struct {
	Code      string    `json:"code"`
	Owner     string    `json:"owner"`
	DropID    string    `json:"drop_id"`
	Uses      int       `json:"uses"`
	MaxUses   int       `json:"max_uses"`
	CreatedAt time.Time `json:"created_at"`
}

// Variant is one waiting-room page in an experiment.
type Variant struct {
	Name   string `json:"name"`
	Weight int    `json:"weight"`
}

// Assignment pins a visitor to a waiting-room variant.
type Assignment struct {
	Experiment string    `json:"experiment"`
	VisitorID  string    `json:"visitor_id"`
	Variant    string    `json:"variant"`
	AssignedAt time.Time `json:"assigned_at"`
}
