// Package kvkey builds the keys the box office stores. Every key the
// Worker writes is built here so the layout can be read in one place:
//
//	hold/<event>/<seat>            seat held during checkout
//	cart/<account>                 holds collected by one buyer
//	ticket/<event>/<ticket>        issued ticket
//	promo/<event>/<code>           promo definition
//	waitlist/<event>               waitlist entries (JSON list)
//	offer/<event>/<offer>          seat offered to a waitlisted buyer
//	sess/<id>, otp/<login>         organiser login state
//	apikey/<sha256>                organiser API keys
//	venue/<id>                     cached venue page from the origin
package kvkey

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"strings"
)

// Key is a slash-separated KV key.
type Key string

// Root is the empty key; children of Root have no leading slash.
const Root Key = ""

// Child appends path segments to k.
func (k Key) Child(parts ...string) Key {
	if len(parts) == 0 {
		return k
	}
	joined := strings.Join(parts, "/")
	if k == Root {
		return Key(joined)
	}
	return Key(string(k) + "/" + joined)
}

// String returns the key as stored.
func (k Key) String() string { return string(k) }

// Prefix returns the list prefix for k's children.
func (k Key) Prefix() string {
	if k == Root {
		return ""
	}
	return string(k) + "/"
}

// Top-level namespaces.
const (
	Holds     Key = "hold"
	Carts     Key = "cart"
	Tickets   Key = "ticket"
	Promos    Key = "promo"
	Waitlists Key = "waitlist"
	Offers    Key = "offer"
	Sessions  Key = "sess"
	OTPs      Key = "otp"
	APIKeys   Key = "apikey"
	Venues    Key = "venue"
	Events    Key = "event"
	Audit     Key = "audit"
	Meta      Key = "meta"
)

// Hold is the key of one held seat.
func Hold(eventID, seat string) Key { return Holds.Child(eventID, normaliseSeat(seat)) }

// Ticket is the key of an issued ticket.
func Ticket(eventID, ticketID string) Key { return Tickets.Child(eventID, ticketID) }

// Promo is the key of a promo code definition.
func Promo(eventID, code string) Key { return Promos.Child(eventID, strings.ToUpper(code)) }

// PromoRedemptions is where the redemption count for a code lives.
func PromoRedemptions(eventID, code string) Key {
	return Key(fmt.Sprintf("promo-redemptions/%s/%s", eventID, strings.ToUpper(code)))
}

// Offer is the key of one waitlist offer.
func Offer(eventID, offerID string) Key { return Offers.Child(eventID, offerID) }

// OTP is the key of a pending one-time login code.
func OTP(loginID string) Key { return OTPs.Child(loginID) }

// LoginAttempts counts failed code entries per email.
func LoginAttempts(email string) Key {
	return Key(path.Join("login-attempts", hashed(strings.ToLower(email))))
}

// APIKey is the key of an API key record, addressed by the key's hash.
func APIKey(secret string) Key { return APIKeys.Child(hashed(secret)) }

// Venue is the key of a cached venue page.
func Venue(venueID string) Key { return Venues.Child(venueID) }

// Event is the key of an event record.
func Event(eventID string) Key { return Events.Child(eventID) }

// EventSummary is the availability summary shown on the event page.
func EventSummary(eventID string) Key { return Events.Child(eventID, "summary") }

// EventCapacity stores the configured capacity of an event.
func EventCapacity(eventID string) Key { return Events.Child(eventID, "capacity") }

// AuditLog is the per-organiser audit trail.
func AuditLog(orgID string) Key { return Audit.Child(orgID) }

// Profile holds an organiser's display preferences.
func Profile(orgID string) Key { return Key(strings.Join([]string{"profile", orgID}, "/")) }

func normaliseSeat(seat string) string {
	return strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(seat), " ", "-"))
}

func hashed(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
