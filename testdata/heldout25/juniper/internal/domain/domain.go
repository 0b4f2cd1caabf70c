// Package domain holds the records shared by the ticketing services.
package domain

import "time"

// Audit is embedded in records that track who touched them.
type Audit struct {
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	By        string    `json:"by,omitempty"`
}

// Hold reserves seats for a buyer while they pay.
type Hold struct {
	Audit
	ID        string    `json:"id"`
	EventID   string    `json:"event_id"`
	BuyerID   string    `json:"buyer_id"`
	Seats     []string  `json:"seats"`
	ExpiresAt time.Time `json:"expires_at"`
	Status    string    `json:"status"`
}

// QueueTicket is a visitor's place in a waiting room.
type QueueTicket struct {
	EventID   string    `json:"event_id"`
	VisitorID string    `json:"visitor_id"`
	Number    int       `json:"number"`
	IssuedAt  time.Time `json:"issued_at"`
}

// QueueState is the waiting room's admission frontier.
type QueueState struct {
	EventID  string    `json:"event_id"`
	Admitted int       `json:"admitted"`
	Paused   bool      `json:"paused"`
	Recent   []string  `json:"recent"`
	Updated  time.Time `json:"updated"`
}

// CheckinCode is what a ticket's QR code resolves to at the door.
type CheckinCode struct {
	Code     string `json:"code"`
	EventID  string `json:"event_id"`
	TicketID string `json:"ticket_id"`
	Holder   struct {
		Name  string `json:"name"`
		Email string `json:"email"`
	} `json:"holder"`
	Tier string `json:"tier"`
}

// Session is an organizer's dashboard session.
type Session struct {
	Audit
	ID        string    `json:"id"`
	OrgID     string    `json:"org_id"`
	UserID    string    `json:"user_id"`
	Roles     []string  `json:"roles"`
	LastSeen  time.Time `json:"last_seen"`
	ExpiresAt time.Time `json:"expires_at"`
}

// APIKey is an organizer's API credential; only the hash is stored.
type APIKey struct {
	Audit
	Hash   string   `json:"hash"`
	Prefix string   `json:"prefix"`
	OrgID  string   `json:"org_id"`
	Scopes []string `json:"scopes"`
	Label  string   `json:"label"`
}

// SeatMap is a venue layout with the availability of each seat.
type SeatMap struct {
	VenueID  string             `json:"venue_id"`
	EventID  string             `json:"event_id"`
	Version  int                `json:"version"`
	Sections map[string]Section `json:"sections"`
}

// Section is one block of seats.
type Section struct {
	Name  string          `json:"name"`
	Rows  int             `json:"rows"`
	Seats map[string]bool `json:"seats"` // seat id -> sold
}

// WebhookReceipt records that a payment webhook was processed.
type WebhookReceipt struct {
	Provider   string    `json:"provider"`
	EventID    string    `json:"event_id"`
	Type       string    `json:"type"`
	ReceivedAt time.Time `json:"received_at"`
	Outcome    string    `json:"outcome"`
}

// Payment is the subset of a payment provider's event the platform uses.
type Payment struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	HoldID  string `json:"hold_id"`
	EventID string `json:"event_id"`
	Amount  int64  `json:"amount"`
	Status  string `json:"status"`
}
