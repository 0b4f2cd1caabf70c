package domain

import "time"

// Member is a person with a membership plan.
type Member struct {
	ID         MemberID  `json:"id"`
	Email      Email     `json:"email"`
	Name       string    `json:"name"`
	Plan       string    `json:"plan"`
	Locale     string    `json:"locale,omitempty"`
	Newsletter bool      `json:"newsletter"`
	CreatedAt  time.Time `json:"created_at"`
}

// SetID sets the identity used by Key.
func (m *Member) SetID(id string) { m.ID = MemberID(id) }

// Key addresses the member profile.
func (m *Member) Key() string { return "member:" + string(m.ID) }

// Session is a signed-in member's browser session.
type Session struct {
	ID        string    `json:"id"`
	Member    MemberID  `json:"member"`
	UserAgent string    `json:"ua,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
	ExpiresAt time.Time `json:"expires_at"`
}

// SetID sets the identity used by Key.
func (s *Session) SetID(id string) { s.ID = id }

// Key addresses the session record.
func (s *Session) Key() string { return "sess:" + s.ID }

// Slot is one booking of a meeting room.
type Slot struct {
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
	Member MemberID  `json:"member"`
	Title  string    `json:"title,omitempty"`
}

// Overlaps reports whether two slots share any instant.
func (s Slot) Overlaps(o Slot) bool { return s.Start.Before(o.End) && o.Start.Before(s.End) }

// RoomDay is the list of a room's bookings for one day.
type RoomDay struct {
	ID    string `json:"id"` // site/room/day
	Slots []Slot `json:"slots"`
}

// SetID sets the identity used by Key.
func (r *RoomDay) SetID(id string) { r.ID = id }

// Key addresses the room's day sheet.
func (r *RoomDay) Key() string { return "room:day:" + r.ID }

// RoomDayID composes the identity of a room's day sheet.
func RoomDayID(site SiteID, room RoomID, day time.Time) string {
	return string(site.Normalize()) + "/" + string(room) + "/" + Day(day)
}

// DayPass grants a fixed number of entries until a deadline.
type DayPass struct {
	ID         PassID    `json:"id"`
	Member     MemberID  `json:"member"`
	Site       SiteID    `json:"site"`
	UsesLeft   int       `json:"uses_left"`
	ValidUntil time.Time `json:"valid_until"`
}

// SetID sets the identity used by Key.
func (p *DayPass) SetID(id string) { p.ID = PassID(id) }

// Key addresses the pass.
func (p *DayPass) Key() string { return "pass:" + string(p.ID) }

// AccessGrant is what a door code unlocks.
type AccessGrant struct {
	Code       Code      `json:"-"`
	Site       SiteID    `json:"site"`
	Member     MemberID  `json:"member"`
	ValidFrom  time.Time `json:"valid_from"`
	ValidUntil time.Time `json:"valid_until"`
	SingleUse  bool      `json:"single_use"`
}

// Active reports whether the grant opens doors at t.
func (g AccessGrant) Active(t time.Time) bool {
	return !t.Before(g.ValidFrom) && t.Before(g.ValidUntil)
}

// Invitation lets a member's visitor in for one visit.
type Invitation struct {
	Token     string    `json:"token"`
	Host      MemberID  `json:"host"`
	Visitor   Email     `json:"visitor"`
	Site      SiteID    `json:"site"`
	Visit     time.Time `json:"visit"`
	ExpiresAt time.Time `json:"expires_at"`
}

// SetID sets the identity used by Key.
func (i *Invitation) SetID(id string) { i.Token = id }

// Key addresses the invitation by its token.
func (i *Invitation) Key() string { return "invite:" + i.Token }

// InvoiceLine is one billed item.
type InvoiceLine struct {
	Description string `json:"description"`
	Cents       int64  `json:"cents"`
}

// Invoice is a member's monthly bill.
type Invoice struct {
	ID       InvoiceID     `json:"id"`
	Number   string        `json:"number,omitempty"`
	Member   MemberID      `json:"member"`
	Lines    []InvoiceLine `json:"lines"`
	IssuedAt time.Time     `json:"issued_at"`
	Status   string        `json:"status"`
}

// Total sums the invoice lines.
func (inv *Invoice) Total() int64 {
	var t int64
	for _, l := range inv.Lines {
		t += l.Cents
	}
	return t
}

// Occupancy is a point-in-time view of who is in a site.
type Occupancy struct {
	Site     SiteID              `json:"site"`
	At       time.Time           `json:"at"`
	Present  int                 `json:"present"`
	Capacity int                 `json:"capacity"`
	Desks    map[DeskID]MemberID `json:"desks,omitempty"`
}
