// Package domain holds the records the check-in platform keeps in KV. The
// source of truth for registrations is the ticketing database; KV holds the
// read-shaped projections the door Worker and the dashboards need.
package domain

import (
	"time"

	"github.com/confhub/puffin/internal/keys"
)

// Attendee is a registered participant of an event.
type Attendee struct {
	ID      string    `json:"id"`
	Event   string    `json:"event"`
	Name    string    `json:"name"`
	Email   string    `json:"email"`
	Company string    `json:"company,omitempty"`
	Ticket  string    `json:"ticket"`
	Tags    []string  `json:"tags,omitempty"`
	Created time.Time `json:"created"`
}

// attendeeRetention keeps registrations for the post-event survey.
const attendeeRetention = 60 * 24 * time.Hour

// Key implements the KV record contract.
func (a Attendee) Key() string { return keys.Event(a.Event).Child("att", a.ID).String() }

// TTL implements the KV record contract.
func (a Attendee) TTL() time.Duration { return attendeeRetention }

// BadgeStatus is the lifecycle state of a printed badge.
type BadgeStatus string

const (
	BadgeIssued  BadgeStatus = "issued"
	BadgePrinted BadgeStatus = "printed"
	BadgeRevoked BadgeStatus = "revoked"
)

// badgeRetention keeps badge records around for the post-event survey.
const badgeRetention = 45 * 24 * time.Hour

// Badge is what the door Worker needs to admit an attendee.
type Badge struct {
	Event      string      `json:"event"`
	ID         string      `json:"id"`
	AttendeeID string      `json:"attendee"`
	Name       string      `json:"name"`
	Company    string      `json:"company,omitempty"`
	Ticket     string      `json:"ticket"`
	Status     BadgeStatus `json:"status"`
	PrintedAt  time.Time   `json:"printed_at,omitempty"`
	Reprints   int         `json:"reprints,omitempty"`
	Notes      []string    `json:"notes,omitempty"`
}

// Key implements the KV record contract.
func (b Badge) Key() string { return keys.BadgeKey{Event: b.Event, ID: b.ID}.String() }

// TTL implements the KV record contract.
func (b Badge) TTL() time.Duration { return badgeRetention }

// Talk is one session of the programme.
type Talk struct {
	Event    string    `json:"event"`
	ID       string    `json:"id"`
	Title    string    `json:"title"`
	Room     string    `json:"room"`
	Capacity int       `json:"capacity"`
	StartsAt time.Time `json:"starts_at"`
	EndsAt   time.Time `json:"ends_at"`
}

// Key implements the KV record contract.
func (t Talk) Key() string { return keys.TalkKey{Event: t.Event, Talk: t.ID}.String() }

// TTL implements the KV record contract: a talk record is dropped a week
// after the talk.
func (t Talk) TTL() time.Duration { return time.Until(t.EndsAt.Add(7 * 24 * time.Hour)) } // EXPECT kvttl

// Hold reserves a seat in a talk for an attendee. A hold is provisional
// until the attendee confirms it; unconfirmed holds lapse at Expires.
type Hold struct {
	Event     string    `json:"event"`
	Talk      string    `json:"talk"`
	Attendee  string    `json:"attendee"`
	Created   time.Time `json:"created"`
	Expires   time.Time `json:"expires"`
	Confirmed bool      `json:"confirmed,omitempty"`
}

// CheckIn records an attendee passing a door.
type CheckIn struct {
	Event   string    `json:"event"`
	BadgeID string    `json:"badge"`
	Door    string    `json:"door"`
	At      time.Time `json:"at"`
}

// Key implements the KV record contract.
func (c CheckIn) Key() string { return keys.BadgeKey{Event: c.Event, ID: c.BadgeID}.CheckIn().String() }

// TTL implements the KV record contract. Scanners debounce on this record,
// so it only needs to outlive a double scan.
func (c CheckIn) TTL() time.Duration { return 20 * time.Second }

// SpeakerSession is a signed-in speaker portal session.
type SpeakerSession struct {
	ID        string    `json:"id"`
	Speaker   string    `json:"speaker"`
	Email     string    `json:"email"`
	Event     string    `json:"event"`
	Created   time.Time `json:"created"`
	ExpiresAt time.Time `json:"expires_at"`
	LastSeen  time.Time `json:"last_seen"`
}

// Key implements the KV record contract.
func (s SpeakerSession) Key() string { return keys.SessionKey(s.ID).String() }

// TTL implements the KV record contract.
func (s SpeakerSession) TTL() time.Duration { return 12 * time.Hour }
