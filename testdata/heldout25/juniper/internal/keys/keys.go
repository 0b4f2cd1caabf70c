// Package keys builds storage keys. Every key has a short, stable prefix so
// that listings by prefix stay cheap.
package keys

import (
	"fmt"
	"path"
	"strings"
	"time"
)

const sep = ":"

// Hold is the key of one ticket hold.
func Hold(eventID, holdID string) string {
	return strings.Join([]string{"hold", eventID, holdID}, sep)
}

// HoldPrefix lists all holds of an event.
func HoldPrefix(eventID string) string {
	return strings.Join([]string{"hold", eventID, ""}, sep)
}

// QueueTicket is the key of a visitor's waiting-room ticket.
func QueueTicket(eventID, visitorID string) string {
	return fmt.Sprintf("queue:%s:ticket:%s", eventID, visitorID)
}

// QueueState is the key of the waiting room's admission state.
func QueueState(eventID string) string {
	return fmt.Sprintf("queue:%s:state", eventID)
}

// QueueSeq is the key holding the last issued queue number.
func QueueSeq(eventID string) string {
	return fmt.Sprintf("queue:%s:seq", eventID)
}

// CheckinCode is the key of a door code.
func CheckinCode(eventID, code string) string {
	return path.Join("checkin", eventID, strings.ToUpper(code))
}

// GateTally is the key of a gate's scan tally.
func GateTally(eventID, gate string) string {
	return path.Join("checkin", eventID, "tally", gate)
}

// Session is the key of an organizer session.
func Session(id string) string { return "sess:" + id }

// APIKey is the key of an API key record, addressed by its hash.
func APIKey(hash string) string { return "apikey:" + hash }

// APIKeyIndex lists an organizer's API keys.
func APIKeyIndex(orgID string) string { return fmt.Sprintf("org:%s:apikeys", orgID) }

// RevokedKey marks an API key as revoked.
func RevokedKey(hash string) string { return "revoked:apikey:" + hash }

// SeatMap is the key of a published seat map.
func SeatMap(venueID, eventID string, version int) string {
	return fmt.Sprintf("seatmap:%s:%s:v%d", venueID, eventID, version)
}

// SeatSection is the key of one section of a seat map.
func SeatSection(eventID, section string) string {
	return path.Join("seats", eventID, section)
}

// WebhookReceipt is the idempotency key of a payment webhook.
func WebhookReceipt(provider, eventID string) string {
	return strings.Join([]string{"whrcpt", provider, eventID}, sep)
}

// Minute returns a per-minute bucket suffix for t.
func Minute(t time.Time) int64 { return t.Truncate(time.Minute).Unix() }

// WebhookHits is a per-minute bucket of received webhooks.
func WebhookHits(provider string, t time.Time) string {
	return fmt.Sprintf("wh:hits:%s:%d", provider, Minute(t))
}

// LoginAttempts is the key of a login attempt window.
func LoginAttempts(ip string, window time.Duration, t time.Time) string {
	return fmt.Sprintf("login-attempts:%s:%d", ip, t.Truncate(window).Unix())
}

// Lease is the key of a job lease.
func Lease(job string) string { return "lease:" + job }

// Export is the key of a nightly export chunk.
func Export(day time.Time, part int) string {
	return fmt.Sprintf("export:%s:%04d", day.Format("2006-01-02"), part)
}
