// Package ticketing holds the domain types shared by the API, the scanner
// service and the background workers, and the KV key layout they agree on.
package ticketing

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"time"
)

// Event is a performance that tickets are sold for.
type Event struct {
	ID        string    `json:"id"`
	Slug      string    `json:"slug"`
	Title     string    `json:"title"`
	Venue     string    `json:"venue"`
	StartsAt  time.Time `json:"starts_at"`
	Capacity  int       `json:"capacity"`
	OrgID     string    `json:"org_id"`
	OnSaleAt  time.Time `json:"on_sale_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Hold reserves one seat for a buyer while they pay.
type Hold struct {
	ID        string    `json:"id"`
	EventID   string    `json:"event_id"`
	Seat      string    `json:"seat"`
	BuyerID   string    `json:"buyer_id"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	Extended  int       `json:"extended"`
}

// TicketStatus is the life cycle of an issued ticket.
type TicketStatus string

const (
	TicketValid     TicketStatus = "valid"
	TicketCheckedIn TicketStatus = "checked_in"
	TicketRefunded  TicketStatus = "refunded"
)

// Ticket is an issued ticket as the scanners see it.
type Ticket struct {
	ID          string       `json:"id"`
	EventID     string       `json:"event_id"`
	OrderID     string       `json:"order_id"`
	Seat        string       `json:"seat"`
	Holder      string       `json:"holder"`
	Status      TicketStatus `json:"status"`
	CheckedInAt *time.Time   `json:"checked_in_at,omitempty"`
	Gate        string       `json:"gate,omitempty"`
}

// OrganiserSession is the server side of an organiser's login cookie.
type OrganiserSession struct {
	ID        string    `json:"id"`
	OrgID     string    `json:"org_id"`
	UserID    string    `json:"user_id"`
	Email     string    `json:"email"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Key layout. Every key the backend writes is built here.
func EventKey(id string) string             { return "event:" + id }
func SlugKey(slug string) string            { return "slug:" + slug }
func SeatMapKey(eventID string) string      { return "seatmap:" + eventID }
func SectionKey(eventID, sec string) string { return fmt.Sprintf("seatmap:%s:%s", eventID, sec) }
func HoldKey(eventID, seat string) string   { return fmt.Sprintf("hold:%s:%s", eventID, seat) }
func HoldPrefix(eventID string) string      { return fmt.Sprintf("hold:%s:", eventID) }
func TicketKey(id string) string            { return "ticket:" + id }
func SoldKey(eventID string) string         { return "sold:" + eventID }
func ViewsKey(eventID string) string        { return "views:" + eventID }
func AttendanceKey(eventID string) string   { return "attendance:" + eventID }
func SessionKey(orgID, id string) string    { return fmt.Sprintf("orgsess:%s:%s", orgID, id) }
func SessionPrefix(orgID string) string     { return fmt.Sprintf("orgsess:%s:", orgID) }
func MagicLinkKey(code string) string       { return "magic:" + code }
func RefundStatusKey(orderID string) string { return "refund:status:" + orderID }
func OrderAuditKey(orderID string) string   { return "audit:order:" + orderID }
func AdmitKey(token string) string          { return "wr:" + token }

// NewID returns a URL-safe random identifier with n bytes of entropy.
func NewID(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("ticketing: crypto/rand: %v", err))
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
