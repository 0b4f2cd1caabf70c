// Package domain holds the records shared by the worker and the backend.
package domain

import (
	"errors"
	"time"
)

// Audit is embedded in every stored record.
type Audit struct {
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	UpdatedBy string    `json:"updated_by,omitempty"`
}

// Touch stamps the record as updated by actor.
func (a *Audit) Touch(actor string, now time.Time) {
	if a.CreatedAt.IsZero() {
		a.CreatedAt = now
	}
	a.UpdatedAt = now
	a.UpdatedBy = actor
}

// Venue is a restaurant location.
type Venue struct {
	Audit
	ID       string         `json:"id"`
	Name     string         `json:"name"`
	Timezone string         `json:"tz"`
	Phone    string         `json:"phone"`
	Hours    []OpeningHours `json:"hours"`
	Address  struct {
		Line1   string `json:"line1"`
		City    string `json:"city"`
		Country string `json:"country"`
	} `json:"address"`
	Notice string   `json:"notice,omitempty"`
	Tags   []string `json:"tags,omitempty"`
}

// OpeningHours is one opening interval on a weekday.
type OpeningHours struct {
	Weekday time.Weekday `json:"weekday"`
	Open    string       `json:"open"`
	Close   string       `json:"close"`
}

// Table is one physical table.
type Table struct {
	ID     string `json:"id"`
	Seats  int    `json:"seats"`
	HeldBy string `json:"held_by,omitempty"`
	Booked string `json:"booked,omitempty"`
}

// SlotInventory is the table inventory of one time slot.
type SlotInventory struct {
	Audit
	VenueID string    `json:"venue_id"`
	Start   time.Time `json:"start"`
	Tables  []Table   `json:"tables"`
}

// FreeTable returns the index of the smallest free table seating party, or -1.
func (s *SlotInventory) FreeTable(party int) int {
	best := -1
	for i, t := range s.Tables {
		if t.HeldBy != "" || t.Booked != "" || t.Seats < party {
			continue
		}
		if best < 0 || t.Seats < s.Tables[best].Seats {
			best = i
		}
	}
	return best
}

// Reservation is a confirmed booking.
type Reservation struct {
	Audit
	ID      string    `json:"id"`
	VenueID string    `json:"venue_id"`
	TableID string    `json:"table_id"`
	GuestID string    `json:"guest_id"`
	Party   int       `json:"party"`
	Start   time.Time `json:"start"`
	Status  string    `json:"status"`
	Contact struct {
		Name  string `json:"name"`
		Phone string `json:"phone"`
	} `json:"contact"`
}

// WaitlistEntry is a walk-in party waiting for a table.
type WaitlistEntry struct {
	PartyID  string    `json:"party_id"`
	Name     string    `json:"name"`
	Party    int       `json:"party"`
	Phone    string    `json:"phone"`
	JoinedAt time.Time `json:"joined_at"`
}

// Waitlist is the ordered queue of a venue for a day.
type Waitlist struct {
	VenueID string          `json:"venue_id"`
	Day     string          `json:"day"`
	Entries []WaitlistEntry `json:"entries"`
}

// MenuItem is a dish or drink.
type MenuItem struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	PriceCents int      `json:"price_cents"`
	Allergens  []string `json:"allergens,omitempty"`
	Available  bool     `json:"available"`
}

// Menu is a published menu.
type Menu struct {
	Audit
	VenueID  string     `json:"venue_id"`
	Revision int        `json:"revision"`
	Items    []MenuItem `json:"items"`
}

// Find returns the item with id.
func (m *Menu) Find(id string) (MenuItem, bool) {
	for _, it := range m.Items {
		if it.ID == id {
			return it, true
		}
	}
	return MenuItem{}, false
}

// CartLine is one line of a pickup cart.
type CartLine struct {
	ItemID string `json:"item_id"`
	Qty    int    `json:"qty"`
	Note   string `json:"note,omitempty"`
}

// Cart is a guest's pending pickup order.
type Cart struct {
	GuestID string     `json:"guest_id"`
	VenueID string     `json:"venue_id"`
	Lines   []CartLine `json:"lines"`
}

// Order is a submitted pickup order.
type Order struct {
	Audit
	ID         string     `json:"id"`
	VenueID    string     `json:"venue_id"`
	GuestID    string     `json:"guest_id"`
	Lines      []CartLine `json:"lines"`
	TotalCents int        `json:"total_cents"`
	PickupAt   time.Time  `json:"pickup_at"`
	PickupCode string     `json:"pickup_code"`
	Status     string     `json:"status"`
}

// Session is a signed-in guest.
type Session struct {
	ID        string    `json:"id"`
	GuestID   string    `json:"guest_id"`
	Phone     string    `json:"phone"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
	Device    struct {
		UserAgent string `json:"ua"`
		IP        string `json:"ip"`
	} `json:"device"`
}

// Challenge is an outstanding SMS confirmation code.
type Challenge struct {
	PhoneHash string    `json:"phone_hash"`
	CodeHash  string    `json:"code_hash"`
	Purpose   string    `json:"purpose"`
	IssuedAt  time.Time `json:"issued_at"`
}

// DailyReport summarises one service day.
type DailyReport struct {
	VenueID      string `json:"venue_id"`
	Day          string `json:"day"`
	Reservations int    `json:"reservations"`
	Covers       int    `json:"covers"`
	NoShows      int    `json:"no_shows"`
	Orders       int    `json:"orders"`
	RevenueCents int    `json:"revenue_cents"`
}

// Errors shared by services.
var (
	ErrNoTable      = errors.New("no table available")
	ErrAlreadyTaken = errors.New("already taken")
	ErrBadCode      = errors.New("invalid confirmation code")
	ErrTooMany      = errors.New("too many attempts")
	ErrUnauthorized = errors.New("unauthorized")
)
