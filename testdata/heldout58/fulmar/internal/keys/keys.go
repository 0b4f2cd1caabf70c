// Package keys defines the KV key shapes shared by the backend and the edge
// Worker. Keys are small value types that format themselves.
package keys

import (
	"fmt"
	"net/url"
	"strings"
)

// Venue identifies a restaurant location by its slug.
type Venue string

func (v Venue) String() string { return "venue:" + string(v) }

// Menu is the published menu document for a venue and locale.
type Menu struct {
	Venue  Venue
	Locale string
}

func (m Menu) String() string {
	return fmt.Sprintf("menu:%s:%s", m.Venue.slug(), strings.ToLower(m.Locale))
}

func (v Venue) slug() string { return url.PathEscape(string(v)) }

// Hold is a table hold for one service slot.
type Hold struct {
	Venue Venue
	Table int
	Slot  string // "2025-06-01T19:30"
}

// MarshalText implements encoding.TextMarshaler.
func (h Hold) MarshalText() ([]byte, error) {
	return fmt.Appendf(nil, "hold:%s:%d:%s", h.Venue.slug(), h.Table, h.Slot), nil
}

// String lets a Hold be used with %s and fmt.Sprint.
func (h Hold) String() string {
	b, _ := h.MarshalText()
	return string(b)
}

// Cart is a guest's cart at a venue.
type Cart struct {
	Venue Venue
	Guest string
}

func (c Cart) String() string { return "cart:" + c.Venue.slug() + ":" + c.Guest }

// Session is a staff login session.
type Session string

func (s Session) String() string { return "session:" + string(s) }

// Ticket is a kitchen ticket.
type Ticket struct {
	Venue Venue
	ID    string
}

func (t Ticket) MarshalText() ([]byte, error) {
	return []byte("ticket:" + t.Venue.slug() + ":" + t.ID), nil
}
