// Package keys holds the KV key layout shared by the worker and the backend.
package keys

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"
)

const (
	TicketPrefix  = "ticket/"
	ThreadPrefix  = "thread/"
	SessionPrefix = "sess/"
	CannedPrefix  = "canned/"
	TimerPrefix   = "sla/timer/"
)

// Ticket is the cached summary of a ticket.
func Ticket(id string) string { return TicketPrefix + id }

// Thread is the reply index of a ticket thread.
func Thread(id string) string { return ThreadPrefix + id + "/replies" }

// Session is an agent session record.
func Session(id string) string { return SessionPrefix + id }

// UserSessions is the prefix under which a user's sessions are indexed.
func UserSessions(userID string) string { return "sess-by-user/" + userID + "/" }

// Timer is the SLA timer of a ticket.
func Timer(ticketID string) string { return TimerPrefix + ticketID }

// Hashed returns the hex sha256 of s, for keys whose natural part may be long.
func Hashed(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// CannedSearch caches the result of a canned-reply search; the query can be
// arbitrarily long, so it is hashed.
func CannedSearch(query string) string { return CannedPrefix + "q/" + Hashed(query) }

// Minute returns the unix second at the start of t's minute, for bucketed keys.
func Minute(t time.Time) string { return strconv.FormatInt(t.Truncate(time.Minute).Unix(), 10) }
