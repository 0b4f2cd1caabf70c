package domain

import "time"

// Status is where a subscriber is in its lifecycle.
type Status string

const (
	StatusPending      Status = "pending"
	StatusActive       Status = "active"
	StatusUnsubscribed Status = "unsubscribed"
	StatusBounced      Status = "bounced"
)

// Subscriber is one address on one list.
type Subscriber struct {
	ID          string    `json:"id"`
	ListID      string    `json:"list_id"`
	Email       string    `json:"email"`
	Status      Status    `json:"status"`
	Topics      []string  `json:"topics,omitempty"`
	Source      string    `json:"source,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	ConfirmedAt time.Time `json:"confirmed_at,omitzero"`
}

// Pending is a double-opt-in confirmation waiting to be clicked. It carries
// everything needed to create the subscriber once confirmed.
type Pending struct {
	Token      string     `json:"token"`
	Subscriber Subscriber `json:"subscriber"`
	IssuedAt   time.Time  `json:"issued_at"`
}

// Unsubscribe maps an unsubscribe token to its subscriber.
type Unsubscribe struct {
	ListID    string `json:"list_id"`
	EmailHash string `json:"email_hash"`
}

// BounceKind separates permanent from transient failures.
type BounceKind string

const (
	BounceHard      BounceKind = "hard"
	BounceSoft      BounceKind = "soft"
	BounceComplaint BounceKind = "complaint"
)

// Bounce is one delivery failure reported by the mail provider.
type Bounce struct {
	Kind       BounceKind `json:"kind"`
	CampaignID string     `json:"campaign_id"`
	Reason     string     `json:"reason"`
	At         time.Time  `json:"at"`
}

// BounceHistory is every bounce recorded for one address.
type BounceHistory struct {
	EmailHash string   `json:"email_hash"`
	Events    []Bounce `json:"events"`
}

// Hard reports whether the history contains a permanent failure or
// complaint, or three soft bounces.
func (h BounceHistory) Hard() bool {
	soft := 0
	for _, b := range h.Events {
		switch b.Kind {
		case BounceHard, BounceComplaint:
			return true
		case BounceSoft:
			soft++
		}
	}
	return soft >= 3
}
