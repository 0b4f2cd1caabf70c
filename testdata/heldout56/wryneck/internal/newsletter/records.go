package newsletter

import "time"

// Frequency is how often a subscriber wants mail.
type Frequency string

const (
	Immediate Frequency = "immediate"
	Daily     Frequency = "daily"
	Weekly    Frequency = "weekly"
)

// Preferences is a subscriber's preference record, one per list and address.
// Unsubscribing is a soft delete: Deleted and RevokedAt are set and the record
// is kept so that suppression survives re-imports.
type Preferences struct {
	ListID    string     `json:"list_id"`
	Email     string     `json:"email"`
	Frequency Frequency  `json:"frequency"`
	Topics    []string   `json:"topics,omitempty"`
	Confirmed bool       `json:"confirmed"`
	Deleted   bool       `json:"deleted,omitempty"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
	Tombstone bool       `json:"tombstone,omitempty"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// PendingOptIn is stored under an opt-in token until the address confirms.
type PendingOptIn struct {
	ListID    string    `json:"list_id"`
	Email     string    `json:"email"`
	Source    string    `json:"source"`
	CreatedAt time.Time `json:"created_at"`
}

// Slot is one send window of a campaign.
type Slot struct {
	At      time.Time `json:"at"`
	Segment string    `json:"segment"`
}

// Schedule is a campaign's send plan.
type Schedule struct {
	CampaignID string     `json:"campaign_id"`
	Sender     string     `json:"sender"`
	Slots      []Slot     `json:"slots"`
	Deleted    bool       `json:"deleted,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

// AdminSession is a signed-in operator of the admin console.
type AdminSession struct {
	ID        string    `json:"id"`
	Operator  string    `json:"operator"`
	CreatedAt time.Time `json:"created_at"`
}
