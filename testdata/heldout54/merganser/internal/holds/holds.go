// Package holds places short holds on desks and meeting rooms while a member
// finishes checkout, and keeps the member's booking basket.
package holds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"merganser/internal/kvio"
)

// ErrTaken is returned when somebody else holds the slot.
var ErrTaken = errors.New("holds: slot already held")

// Hold is a temporary claim on a bookable resource.
type Hold struct {
	Resource string    `json:"resource"`
	Slot     string    `json:"slot"`
	MemberID string    `json:"member_id"`
	Until    time.Time `json:"until"`
}

// Book places holds on one kind of resource. Desks and rooms differ in
// key layout and in how long a hold may outlive checkout.
type Book struct {
	rw    kvio.ReadWriter
	keyOf func(resource, slot string) string
	grace func(h *Hold) time.Duration
}

// Desks returns the book for hot desks. Desk holds end when checkout does.
func Desks(rw kvio.ReadWriter) *Book {
	return &Book{
		rw:    rw,
		keyOf: func(resource, slot string) string { return "hold:desk:" + resource + ":" + slot },
		grace: func(h *Hold) time.Duration { return time.Until(h.Until) }, // EXPECT kvttl
	}
}

// Rooms returns the book for meeting rooms. Room holds keep a minimum
// lifetime so reception can see them on the board.
func Rooms(rw kvio.ReadWriter) *Book {
	return &Book{
		rw:    rw,
		keyOf: func(resource, slot string) string { return "hold:room:" + resource + "/" + slot },
		grace: func(h *Hold) time.Duration {
			return max(time.Until(h.Until)+2*time.Minute, 5*time.Minute)
		},
	}
}

// Place claims resource/slot for member until the given time.
func (b *Book) Place(ctx context.Context, resource, slot, memberID string, until time.Time) (*Hold, error) {
	key := b.keyOf(resource, slot)
	var cur Hold
	if found, err := kvio.Lookup(ctx, b.rw, key, &cur); err != nil {
		return nil, err
	} else if found && cur.MemberID != memberID {
		return nil, fmt.Errorf("%w: %s %s", ErrTaken, resource, slot)
	}
	h := &Hold{Resource: resource, Slot: slot, MemberID: memberID, Until: until}
	b2, err := json.Marshal(h)
	if err != nil {
		return nil, err
	}
	if err := b.rw.Put(ctx, key, string(b2), b.grace(h)); err != nil { // EXPECT kvrace
		return nil, err
	}
	return h, nil
}

// Release drops the member's hold, if it is still theirs.
func (b *Book) Release(ctx context.Context, resource, slot, memberID string) error {
	key := b.keyOf(resource, slot)
	var cur Hold
	found, err := kvio.Lookup(ctx, b.rw, key, &cur)
	if err != nil || !found {
		return err
	}
	if cur.MemberID != memberID {
		return nil
	}
	return b.rw.Delete(ctx, key)
}

// Line is one item of a basket.
type Line struct {
	Resource string `json:"resource"`
	Slot     string `json:"slot"`
	Credits  int    `json:"credits"`
}

// Basket is what a member is about to check out.
type Basket struct {
	MemberID string    `json:"member_id"`
	Lines    []Line    `json:"lines"`
	Updated  time.Time `json:"updated"`
}

func basketKey(memberID string) string { return "basket:" + memberID }

// AddToBasket appends a line to the member's basket.
func AddToBasket(ctx context.Context, rw kvio.GetPutter, memberID string, l Line) (*Basket, error) {
	bk := Basket{MemberID: memberID}
	if _, err := kvio.Lookup(ctx, rw, basketKey(memberID), &bk); err != nil {
		return nil, err
	}
	bk.Lines = append(bk.Lines, l)
	bk.Updated = time.Now().UTC()
	raw, err := json.Marshal(bk)
	if err != nil {
		return nil, err
	}
	if err := rw.Put(ctx, basketKey(memberID), string(raw), 2*time.Hour); err != nil { // EXPECT kvsession|kvrace
		return nil, err
	}
	return &bk, nil
}

// LoadBasket fills dst with the member's basket; a missing basket is empty.
func LoadBasket(ctx context.Context, g kvio.Getter, memberID string, dst *Basket) error {
	dst.MemberID = memberID
	_, err := kvio.Lookup(ctx, g, basketKey(memberID), dst)
	return err
}

// JoinWaitlist queues member for a fully booked room slot.
func JoinWaitlist(ctx context.Context, rw kvio.GetPutter, room, day, memberID string) error {
	return kvio.AppendJSON(ctx, rw, "waitlist:"+room+":"+day, memberID, 7*24*time.Hour)
}

// JoinDeskWaitlist queues member for any free desk on day.
func JoinDeskWaitlist(ctx context.Context, rw kvio.GetPutter, day, memberID string) error {
	return kvio.AppendJSON(ctx, rw, "waitlist:desk:"+day, memberID, 7*24*time.Hour)
}
