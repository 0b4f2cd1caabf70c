package seats

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"example.com/wicket/internal/domain/patron"
	"example.com/wicket/internal/domain/rooms"
	"example.com/wicket/internal/kvport"
)

var (
	ErrSeatTaken = errors.New("seats: seat already booked for that slot")
	ErrQuota     = errors.New("seats: weekly booking hours used up")
	ErrInThePast = errors.New("seats: slot has already started")
	ErrOnHold    = errors.New("seats: seat is being booked by someone else")
)

// Executor applies a decision's writes in order.
type Executor struct{ KV kvport.Store }

func (e Executor) Apply(ctx context.Context, ws []Write) error {
	for _, w := range ws {
		var err error
		switch {
		case w.Delete:
			err = e.KV.Delete(ctx, w.Key)
		case w.TTL > 0:
			err = e.KV.Put(ctx, w.Key, w.Value, kvport.TTL(max(w.TTL, time.Minute)))
		default:
			err = e.KV.Put(ctx, w.Key, w.Value)
		}
		if err != nil {
			return fmt.Errorf("seats: apply %s: %w", w.Key, err)
		}
	}
	return nil
}

// Booker is the imperative shell around the decision functions.
type Booker struct {
	kv    kvport.Store
	exec  Executor
	tiers func(context.Context, patron.ID) (patron.Tier, error)
	now   func() time.Time
}

func NewBooker(kv kvport.Store, tiers func(context.Context, patron.ID) (patron.Tier, error)) *Booker {
	return &Booker{kv: kv, exec: Executor{KV: kv}, tiers: tiers, now: time.Now}
}

func (b *Booker) snapshot(ctx context.Context, room rooms.RoomID, day string) (Snapshot, error) {
	s := Snapshot{Now: b.now()}
	raw, err := b.kv.Get(ctx, planKey(room, day))
	switch {
	case errors.Is(err, kvport.ErrNotFound):
		return s, nil
	case err != nil:
		return s, err
	}
	if err := json.Unmarshal([]byte(raw), &s.Plan); err != nil {
		return s, err
	}
	s.HasPlan = true
	return s, nil
}

// Book takes the seat for the slot and updates the room's day plan.
func (b *Booker) Book(ctx context.Context, r Request) (Outcome, error) {
	snap, err := b.snapshot(ctx, r.Room, r.Slot.Start.Format("2006-01-02"))
	if err != nil {
		return 0, err
	}
	out, writes := DecideBooking(snap, r)
	switch out {
	case SeatTaken:
		return out, ErrSeatTaken
	case InThePast:
		return out, ErrInThePast
	}
	if err := b.chargeHours(ctx, r.Patron, r.Slot); err != nil {
		return 0, err
	}
	return out, b.exec.Apply(ctx, writes) // EXPECT kvrace
}

func weekKey(p patron.ID, t time.Time) string {
	y, w := t.ISOWeek()
	return fmt.Sprintf("seat-hours:%s:%04d-W%02d", p, y, w)
}

// chargeHours enforces the tier's weekly reading-room allowance.
func (b *Booker) chargeHours(ctx context.Context, p patron.ID, slot rooms.Slot) error {
	tier, err := b.tiers(ctx, p)
	if err != nil {
		return err
	}
	key := weekKey(p, slot.Start)
	used := 0
	raw, err := b.kv.Get(ctx, key)
	switch {
	case errors.Is(err, kvport.ErrNotFound):
	case err != nil:
		return err
	default:
		if used, err = strconv.Atoi(raw); err != nil {
			return err
		}
	}
	if used+slot.Hours > tier.WeeklySeatHours() {
		return ErrQuota
	}
	return b.kv.Put(ctx, key, strconv.Itoa(used+slot.Hours), kvport.TTL(8*24*time.Hour)) // EXPECT kvcounter
}

// Hold reserves a seat while a patron confirms on the kiosk, so two kiosks
// do not offer the same seat.
func (b *Booker) Hold(ctx context.Context, r Request, holder string) error {
	key := "seat-hold:" + string(r.Room) + ":" + string(r.Seat) + ":" + r.Slot.Key()
	cur, err := b.kv.Get(ctx, key)
	switch {
	case errors.Is(err, kvport.ErrNotFound):
	case err != nil:
		return err
	case cur != holder:
		return ErrOnHold
	}
	return b.kv.Put(ctx, key, holder, // EXPECT kvrace
		kvport.TTL(30*time.Second)) // EXPECT kvttl
}

// BookClass books every listed seat of a room for a class visit.
func (b *Booker) BookClass(ctx context.Context, room rooms.RoomID, seats []rooms.SeatID, slot rooms.Slot, teacher patron.ID) (int, error) {
	n := 0
	for _, seat := range seats {
		booking, err := json.Marshal(rooms.Booking{Room: room, Seat: seat, Slot: slot, Patron: teacher, Created: b.now()})
		if err != nil {
			return n, err
		}
		if err := b.kv.Put(ctx, bookingKey(room, seat, slot), string(booking), kvport.TTL(planTTL(slot.Start, b.now()))); err != nil {
			return n, err
		}
		if err := b.kv.Put(ctx, "room-touched:"+string(room), b.now().Format(time.RFC3339)); err != nil { // EXPECT kvhotkey
			return n, err
		}
		n++
	}
	return n, nil
}

// Bookings lists one page of a room's bookings for the staff screen; the
// cursor goes back to the client for the next page.
func (b *Booker) Bookings(ctx context.Context, room rooms.RoomID, cursor string) ([]rooms.Booking, string, error) {
	page, err := b.kv.List(ctx, kvport.Prefix("booking:"+string(room)+":").After(cursor).Limit(50))
	if err != nil {
		return nil, "", err
	}
	out := make([]rooms.Booking, 0, len(page.Keys))
	for _, k := range page.Keys {
		raw, err := b.kv.Get(ctx, k.Name) // EXPECT kvlist
		if err != nil {
			if errors.Is(err, kvport.ErrNotFound) {
				continue
			}
			return nil, "", err
		}
		var bk rooms.Booking
		if err := json.Unmarshal([]byte(raw), &bk); err != nil {
			return nil, "", err
		}
		out = append(out, bk)
	}
	next := page.Cursor
	if page.Complete {
		next = ""
	}
	return out, next, nil
}
