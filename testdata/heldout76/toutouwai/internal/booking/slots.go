// Package booking is the public side of the site: slots, bookings, holds and
// waitlists.
package booking

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/toutouwai/booking/internal/kvstore"
)

// DateLayout is the layout of {date} route values.
const DateLayout = "2006-01-02"

var (
	// ErrFull is returned when a slot has no places left.
	ErrFull = errors.New("booking: slot is full")
	// ErrHeld is returned when someone else is holding the slot.
	ErrHeld = errors.New("booking: slot is being booked by someone else")
	// ErrPast is returned for slots that already started.
	ErrPast = errors.New("booking: slot has started")
)

// Booking is one customer's place in a slot.
type Booking struct {
	Ref     string    `json:"ref"`
	Name    string    `json:"name"`
	Email   string    `json:"email"`
	Phone   string    `json:"phone,omitempty"`
	Notes   string    `json:"notes,omitempty"`
	Created time.Time `json:"created"`
}

// Slot is an appointment time with a capacity.
type Slot struct {
	ID       string        `json:"id"`
	Service  string        `json:"service"`
	Staff    string        `json:"staff"`
	Start    time.Time     `json:"start"`
	Length   time.Duration `json:"length"`
	Capacity int           `json:"capacity"`
	Bookings []Booking     `json:"bookings"`
	Waitlist []string      `json:"waitlist,omitempty"`
}

// Remaining is the number of free places.
func (s Slot) Remaining() int { return max(s.Capacity-len(s.Bookings), 0) }

// Key is where the slot lives.
func Key(date, id string) string { return "slot:" + date + ":" + id }

func holdKey(date, id string) string { return "hold:" + date + ":" + id }

// meta is what list results carry so day views need no per-slot reads.
func meta(s Slot) map[string]any {
	return map[string]any{
		"service":   s.Service,
		"start":     s.Start.Unix(),
		"remaining": s.Remaining(),
	}
}

// Save writes the slot and its list metadata.
func Save(ctx context.Context, ns *kvstore.Namespace, s Slot) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return ns.PutMeta(ctx, Key(s.Start.Format(DateLayout), s.ID), b, meta(s))
}

// Load reads one slot.
func Load(ctx context.Context, ns *kvstore.Namespace, date, id string) (Slot, error) {
	var s Slot
	err := ns.GetJSON(ctx, Key(date, id), &s)
	return s, err
}

// Book adds b to the slot if a place is free.
func Book(ctx context.Context, ns *kvstore.Namespace, date, id string, b Booking) (Slot, error) {
	raw, err := ns.Get(ctx, Key(date, id))
	if err != nil {
		return Slot{}, err
	}
	var s Slot
	if err := json.Unmarshal(raw, &s); err != nil {
		return Slot{}, fmt.Errorf("slot %s: %w", id, err)
	}
	if time.Now().After(s.Start) {
		return s, ErrPast
	}
	if s.Remaining() == 0 {
		return s, ErrFull
	}
	s.Bookings = append(s.Bookings, b)
	out, err := json.Marshal(s)
	if err != nil {
		return s, err
	}
	return s, ns.PutMeta(ctx, Key(date, id), out, meta(s)) // EXPECT kvrace
}

// JoinWaitlist queues email for a full slot.
func JoinWaitlist(ctx context.Context, ns *kvstore.Namespace, date, id, email string) (position int, err error) {
	s, err := Load(ctx, ns, date, id)
	if err != nil {
		return 0, err
	}
	for i, e := range s.Waitlist {
		if e == email {
			return i + 1, nil
		}
	}
	s.Waitlist = append(s.Waitlist, email)
	b, err := json.Marshal(s)
	if err != nil {
		return 0, err
	}
	if err := ns.PutMeta(ctx, Key(date, id), b, meta(s)); err != nil { // EXPECT kvrace
		return 0, err
	}
	return len(s.Waitlist), nil
}

// Hold reserves the slot for one session while its owner fills in the form.
// A hold never outlives the slot's start.
func Hold(ctx context.Context, ns *kvstore.Namespace, s Slot, sid string) error {
	date := s.Start.Format(DateLayout)
	owner, err := ns.Get(ctx, holdKey(date, s.ID))
	switch {
	case err == nil && string(owner) != sid:
		return ErrHeld
	case err != nil && !errors.Is(err, kvstore.ErrNotFound):
		return err
	}
	ttl := min(10*time.Minute, time.Until(s.Start))              // EXPECT kvttl
	return ns.PutTTL(ctx, holdKey(date, s.ID), []byte(sid), ttl) // EXPECT kvrace
}

// HeldBy returns the session holding the slot, or "".
func HeldBy(ctx context.Context, ns *kvstore.Namespace, date, id string) (string, error) {
	owner, err := ns.Get(ctx, holdKey(date, id))
	if errors.Is(err, kvstore.ErrNotFound) {
		return "", nil
	}
	return string(owner), err
}

// Summary is a slot as list metadata describes it.
type Summary struct {
	Key       string
	Service   string
	Start     time.Time
	Remaining int
}

// Day returns the summaries of a day's slots from list metadata. A day has
// at most a few hundred slots, so the page budget is generous.
func Day(ctx context.Context, ns *kvstore.Namespace, date string) ([]Summary, error) {
	const pageBudget = 5
	var out []Summary
	cursor := ""
	for range pageBudget {
		page, err := ns.ListPage(ctx, "slot:"+date+":", cursor, 1000)
		if err != nil {
			return nil, err
		}
		for _, k := range page.Keys {
			sum := Summary{Key: k.Name}
			sum.Service, _ = k.Meta["service"].(string)
			if v, ok := k.Meta["start"].(float64); ok {
				sum.Start = time.Unix(int64(v), 0)
			}
			if v, ok := k.Meta["remaining"].(float64); ok {
				sum.Remaining = int(v)
			}
			out = append(out, sum)
		}
		if page.Cursor == "" {
			return out, nil
		}
		cursor = page.Cursor
	}
	return out, fmt.Errorf("day %s: more than %d pages of slots", date, pageBudget)
}
