// Package webhook takes in events from the payment provider and applies
// them to licences, entitlements and customer records.
package webhook

import (
	"encoding/json"
	"time"

	"gadwall/internal/keys"
)

// Event is the envelope the payment provider posts.
type Event struct {
	ID      string          `json:"id"`
	Type    string          `json:"type"`
	Tenant  string          `json:"tenant"`
	Created int64           `json:"created"`
	Data    json.RawMessage `json:"data"`
}

type subscriptionData struct {
	Customer         string         `json:"customer"`
	Product          string         `json:"product"`
	Plan             string         `json:"plan"`
	Seats            int            `json:"seats"`
	License          keys.LicenseID `json:"license_id"`
	Status           string         `json:"status"`
	CurrentPeriodEnd int64          `json:"current_period_end"`
	Features         []string       `json:"features"`
}

type invoiceData struct {
	License     keys.LicenseID `json:"license_id"`
	PaidThrough int64          `json:"paid_through"`
	AmountCents int            `json:"amount_cents"`
}

type refundData struct {
	License  keys.LicenseID `json:"license_id"`
	Machines []string       `json:"machines"`
	Reason   string         `json:"reason"`
}

type customerData struct {
	ID       string `json:"id"`
	Email    string `json:"email"`
	OldEmail string `json:"previous_email,omitempty"`
	Name     string `json:"name"`
}

// Entitlement is what a customer bought for one product.
type Entitlement struct {
	Customer string          `json:"customer"`
	Product  string          `json:"product"`
	Plan     string          `json:"plan"`
	Seats    int             `json:"seats"`
	Features map[string]bool `json:"features"`
	Updated  time.Time       `json:"updated"`
}
