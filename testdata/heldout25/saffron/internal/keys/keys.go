// Package keys builds every KV key the service uses so the layout is defined
// in one place.
package keys

import (
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"
)

const sep = ":"

// Session is the key of a guest session.
func Session(id string) string { return strings.Join([]string{"sess", id}, sep) }

// SessionIndex lists a guest's sessions.
func SessionIndex(guestID string) string {
	return strings.Join([]string{"sess-idx", guestID}, sep)
}

// Venue is the published venue profile.
func Venue(venueID string) string { return path.Join("venue", venueID, "profile") }

// Menu is the currently published menu of a venue.
func Menu(venueID string) string { return path.Join("menu", venueID, "current") }

// MenuVersion is an archived menu revision.
func MenuVersion(venueID string, rev int) string {
	return path.Join("menu", venueID, "rev", strconv.Itoa(rev))
}

// MenuItem is one item of a menu, used by the pickup flow.
func MenuItem(venueID, itemID string) string {
	return fmt.Sprintf("item:%s:%s", venueID, itemID)
}

// Slot is the table inventory of a venue for one time slot.
func Slot(venueID string, start time.Time) string {
	start = start.UTC()
	return fmt.Sprintf("slot:%s:%s:%04d", venueID, start.Format("20060102"), start.Hour()*100+start.Minute())
}

// SlotPrefix covers every slot of a venue on a day.
func SlotPrefix(venueID string, day time.Time) string {
	return fmt.Sprintf("slot:%s:%s:", venueID, day.UTC().Format("20060102"))
}

// Seats is the plain seat counter for a slot.
func Seats(venueID string, start time.Time) string {
	return fmt.Sprintf("seats:%s:%d", venueID, start.UTC().Unix())
}

// Hold is a short-lived table hold created while a guest confirms.
func Hold(venueID, tableID string, start time.Time) string {
	return fmt.Sprintf("hold:%s:%s:%d", venueID, tableID, start.UTC().Unix())
}

// Reservation is a confirmed reservation.
func Reservation(venueID, resID string) string {
	return strings.Join([]string{"resv", venueID, resID}, sep)
}

// Waitlist is the walk-in waitlist of a venue for one service date.
func Waitlist(venueID string, day time.Time) string {
	return fmt.Sprintf("wl:%s:%s", venueID, day.UTC().Format("2006-01-02"))
}

// WaitlistEntry is one party on a waitlist.
func WaitlistEntry(venueID, partyID string) string {
	return fmt.Sprintf("wle:%s:%s", venueID, partyID)
}

// Code is an SMS confirmation code challenge.
func Code(phoneHash string) string { return strings.Join([]string{"otp", phoneHash}, sep) }

// CodeAttempts counts wrong guesses for a code.
func CodeAttempts(phoneHash string) string {
	return strings.Join([]string{"otp-attempts", phoneHash}, sep)
}

// RateBucket is a fixed window bucket for a client.
func RateBucket(scope, client string, now time.Time, window time.Duration) string {
	return fmt.Sprintf("ratelimit:%s:%s:%d", scope, client, now.Truncate(window).Unix())
}

// Order is a pickup order.
func Order(venueID, orderID string) string {
	return strings.Join([]string{"order", venueID, orderID}, sep)
}

// Cart is a guest's pickup cart.
func Cart(guestID, venueID string) string {
	return strings.Join([]string{"cart", guestID, venueID}, sep)
}

// PickupCode maps a short pickup code to an order.
func PickupCode(venueID, code string) string {
	return fmt.Sprintf("pickup:%s:%s", venueID, strings.ToUpper(code))
}

// Idempotency records a processed webhook or request.
func Idempotency(source, id string) string {
	return path.Join("idem", source, id)
}

// Lease is a job lease.
func Lease(job string) string { return path.Join("lease", job) }

// Report is a nightly report for a venue and date.
func Report(venueID string, day time.Time) string {
	return fmt.Sprintf("report:%s:%s", venueID, day.UTC().Format("2006-01-02"))
}

// MinuteBucket is the per-minute stats bucket for a venue.
func MinuteBucket(venueID string, now time.Time) string {
	return fmt.Sprintf("stats:%s:%d", venueID, now.Truncate(time.Minute).Unix())
}
