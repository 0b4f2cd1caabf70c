// Package keys builds the storage keys shared by several packages, so that
// writers and readers (and the admin tool) agree on the layout.
package keys

import (
	"path"
	"strconv"
	"strings"
	"time"
)

// EventPrefix is the directory of event records.
const EventPrefix = "event/"

// Slug maps a public slug to an event ID.
func Slug(slug string) string { return "slug:" + strings.ToLower(strings.TrimSpace(slug)) }

// RSVPPrefix is the prefix of all RSVPs of an event.
func RSVPPrefix(eventID string) string { return strings.Join([]string{"rsvp", eventID, ""}, ":") }

// RSVP is one attendee's answer for one event.
func RSVP(eventID, userID string) string { return strings.Join([]string{"rsvp", eventID, userID}, ":") }

// UserFromRSVP returns the user ID part of an RSVP key.
func UserFromRSVP(key string) string {
	if i := strings.LastIndexByte(key, ':'); i >= 0 {
		return key[i+1:]
	}
	return key
}

// Waitlist holds the ordered waitlist of an event.
func Waitlist(eventID string) string { return "waitlist:" + eventID }

// SeatsTaken holds the number of confirmed seats of an event.
func SeatsTaken(eventID string) string { return "seats:" + eventID + ":taken" }

// Reminder marks a pending reminder for one attendee.
func Reminder(eventID, userID string) string {
	return path.Join("reminder", eventID, userID)
}

// Checkins holds the check-in sheet (CSV) of an event.
func Checkins(eventID string) string { return "checkins:" + eventID + ".csv" }

// Audit holds the change log of an event.
func Audit(eventID string) string { return path.Join("audit", eventID) }

// Hold is a temporary seat hold during checkout.
func Hold(eventID, ticketID string) string {
	var b strings.Builder
	b.Grow(len(eventID) + len(ticketID) + 6)
	b.WriteString("hold:")
	b.WriteString(eventID)
	b.WriteByte(':')
	b.WriteString(ticketID)
	return b.String()
}

// Ticket is an issued ticket.
func Ticket(id string) string { return "ticket:" + id }

// Day formats t as the day part of daily keys.
func Day(t time.Time) string { return t.UTC().Format("20060102") }

// Minute returns the minute bucket of t.
func Minute(t time.Time) string { return strconv.FormatInt(t.Unix()/60, 10) }
