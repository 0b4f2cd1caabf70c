// Package dock schedules dock-door appointments at warehouses. A carrier
// first places a short hold on a door slot, then confirms it into a
// reservation once the load is tendered.
package dock

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"example.com/halyard/internal/keys"
	"example.com/halyard/internal/kvstore"
)

var now = time.Now

// stagingHold is how long a staging lane is kept for a trailer that has
// checked in at the gate but has not been assigned a door yet.
const stagingHold = 30 * time.Minute

var (
	ErrSlotTaken   = errors.New("dock: slot already held")
	ErrHoldExpired = errors.New("dock: hold expired or unknown")
)

// Hold is a time-limited claim on a door slot.
type Hold struct {
	Key       string    `json:"key"`
	Carrier   string    `json:"carrier"`
	HeldBy    string    `json:"held_by"`
	Load      string    `json:"load,omitempty"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Reservation is a confirmed appointment.
type Reservation struct {
	Door      string    `json:"door"`
	Slot      int       `json:"slot"`
	Carrier   string    `json:"carrier"`
	Booking   string    `json:"booking"`
	Confirmed time.Time `json:"confirmed"`
}

// Scheduler is the dock scheduling service.
type Scheduler struct {
	kv     kvstore.ReadWriter
	window time.Duration
}

// NewScheduler builds a scheduler; window is the hold length from config.
func NewScheduler(rw kvstore.ReadWriter, window time.Duration) *Scheduler {
	return &Scheduler{kv: rw, window: window}
}

// PlaceHold claims a slot for the carrier for the configured window.
func (s *Scheduler) PlaceHold(ctx context.Context, door keys.Door, slot int, carrier, user string) (*Hold, error) {
	key, err := door.Slot(slot)
	if err != nil {
		return nil, err
	}
	if _, err := s.kv.Get(ctx, key); err == nil {
		return nil, ErrSlotTaken
	} else if !kvstore.IsNotFound(err) {
		return nil, err
	}
	h := &Hold{Key: key, Carrier: carrier, HeldBy: user, ExpiresAt: now().Add(s.window)}
	b, _ := json.Marshal(h)
	err = s.kv.Put(ctx, key, b, kvstore.PutOptions{TTL: kvstore.SecondsOf(s.window)}) // EXPECT kvrace
	if err != nil {
		return nil, err
	}
	return h, nil
}

// loadHold reads a hold, mapping a miss to ErrHoldExpired.
func (s *Scheduler) loadHold(ctx context.Context, key string) (*Hold, error) {
	var h Hold
	if err := kvstore.GetJSON(ctx, s.kv, key, &h); err != nil {
		if kvstore.IsNotFound(err) {
			return nil, ErrHoldExpired
		}
		return nil, err
	}
	return &h, nil
}

// TransferHold moves a hold to another slot on the same door, keeping its
// original expiry so a carrier cannot extend a hold by shuffling it.
func (s *Scheduler) TransferHold(ctx context.Context, door keys.Door, from, to int) error {
	fromKey, err := door.Slot(from)
	if err != nil {
		return err
	}
	toKey, err := door.Slot(to)
	if err != nil {
		return err
	}
	h, err := s.loadHold(ctx, fromKey)
	if err != nil {
		return err
	}
	remaining := time.Until(h.ExpiresAt)
	h.Key = toKey
	b, _ := json.Marshal(h)
	if err := s.kv.Put(ctx, toKey, b, kvstore.PutOptions{
		TTL: kvstore.Seconds(remaining.Seconds()), // EXPECT kvttl
	}); err != nil {
		return err
	}
	return s.kv.Delete(ctx, fromKey)
}

// ReleaseHold gives a slot back before its hold runs out.
func (s *Scheduler) ReleaseHold(ctx context.Context, door keys.Door, slot int) error {
	key, err := door.Slot(slot)
	if err != nil {
		return err
	}
	return s.kv.Delete(ctx, key)
}

// Confirm turns a hold into a reservation that lasts until the end of the
// appointment day (UTC) plus a day for yard reconciliation.
func (s *Scheduler) Confirm(ctx context.Context, door keys.Door, slot int, booking string) (*Reservation, error) {
	key, err := door.Slot(slot)
	if err != nil {
		return nil, err
	}
	h, err := s.loadHold(ctx, key)
	if err != nil {
		return nil, err
	}
	r := &Reservation{Door: key, Slot: slot, Carrier: h.Carrier, Booking: booking, Confirmed: now().UTC()}
	b, _ := json.Marshal(r)
	day := door.Day.UTC().Truncate(24 * time.Hour)
	expireAt := day.Add(48 * time.Hour)
	return r, s.kv.Put(ctx, "resv:"+key, b, kvstore.PutOptions{
		ExpireAt: expireAt.Unix(),
		Metadata: map[string]string{"carrier": h.Carrier, "booking": booking},
	})
}

// ReserveStaging holds a yard staging lane for a checked-in trailer.
func (s *Scheduler) ReserveStaging(ctx context.Context, facility, lane, trailer string) error {
	key := keys.Join("staging", facility, lane)
	return s.kv.Put(ctx, key, []byte(trailer), kvstore.PutOptions{
		TTL: kvstore.Seconds(stagingHold), // EXPECT kvttl
	})
}

// Reservations returns one page of a facility's confirmed reservations and
// the cursor for the next one.
func (s *Scheduler) Reservations(ctx context.Context, facility, cursor string) (kvstore.Page, error) {
	return s.kv.List(ctx, keys.Join("resv:door", facility)+":", cursor, 500)
}

// Occupancy reports how many slots are held or reserved per door today, for
// the yard dashboard.
func (s *Scheduler) Occupancy(ctx context.Context, facility string) (map[string]int, error) {
	page, err := s.kv.List(ctx, keys.Join("door", facility)+":", "", 1000) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, k := range page.Keys {
		if len(k.Name) < 3 {
			continue
		}
		door := k.Name[:len(k.Name)-4]
		out[door]++
	}
	return out, nil
}

// SlotLength returns the planned dwell per appointment at a facility.
func (s *Scheduler) SlotLength(ctx context.Context, facility string) (time.Duration, error) {
	v, err := s.kv.Get(ctx, keys.Join("dock-cfg", facility, "dwell-min")) // EXPECT kvnull
	if err != nil && !kvstore.IsNotFound(err) {
		return 0, fmt.Errorf("dock: dwell for %s: %w", facility, err)
	}
	minutes, _ := strconv.Atoi(string(v))
	return time.Duration(minutes) * time.Minute, nil
}
