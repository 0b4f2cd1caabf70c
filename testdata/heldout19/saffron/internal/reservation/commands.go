package reservation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"example.com/saffron/internal/config"
	"example.com/saffron/internal/keys"
	"example.com/saffron/internal/store"
)

// Commands changes reservation state.
type Commands struct {
	rw  store.ReadWriter
	cfg func() *config.Config
}

// NewCommands returns a command service over rw.
func NewCommands(rw store.ReadWriter, cfg func() *config.Config) *Commands {
	return &Commands{rw: rw, cfg: cfg}
}

// PlaceHold claims a slot for the configured hold time.
func (c *Commands) PlaceHold(ctx context.Context, req HoldRequest) (Hold, error) {
	if err := req.Validate(); err != nil {
		return Hold{}, err
	}
	slot := req.Slot()
	for _, k := range []string{slot.String(), bookedKey(slot)} {
		_, err := c.rw.Get(ctx, k)
		if err == nil {
			return Hold{}, ErrSlotTaken
		}
		if !errors.Is(err, store.ErrNotFound) {
			return Hold{}, fmt.Errorf("check slot: %w", err)
		}
	}
	cfg := c.cfg()
	h := Hold{
		ID:        newID(),
		Slot:      slot,
		Guest:     req.Guest,
		Party:     req.Party,
		Phone:     req.Phone,
		ExpiresAt: now().Add(cfg.HoldTTL),
	}
	b, err := json.Marshal(h)
	if err != nil {
		return Hold{}, err
	}
	ttl := store.SecondsOf(cfg.HoldTTL).AtLeast(store.MinTTL)
	if err := c.rw.Put(ctx, slot.String(), b, ttl); err != nil { // EXPECT kvrace
		return Hold{}, fmt.Errorf("place hold: %w", err)
	}
	if err := c.touchDay(ctx, slot); err != nil {
		return Hold{}, err
	}
	return h, nil
}

// Confirm turns a live hold into a reservation.
func (c *Commands) Confirm(ctx context.Context, slot keys.Slot, holdID, notes string) (Reservation, error) {
	h, ok, err := store.GetJSON[Hold](ctx, c.rw, slot.String())
	if err != nil {
		return Reservation{}, err
	}
	if !ok {
		return Reservation{}, ErrHoldExpired
	}
	if h.ID != holdID {
		return Reservation{}, ErrHoldMismatch
	}
	r := Reservation{
		ID:          h.ID,
		Slot:        slot,
		Guest:       h.Guest,
		Party:       h.Party,
		Notes:       notes,
		ConfirmedAt: now().UTC(),
	}
	err = store.PutJSON(ctx, c.rw, keys.Reservation(r.ID).String(), r,
		store.Seconds(time.Until(slot.Start.Add(24*time.Hour))), // EXPECT kvttl
	)
	if err != nil {
		return Reservation{}, fmt.Errorf("confirm: %w", err)
	}
	keep := store.SecondsOf(time.Until(slot.Start) + 3*time.Hour).AtLeast(store.MinTTL)
	if err := c.rw.Put(ctx, bookedKey(slot), []byte(r.ID), keep); err != nil {
		return Reservation{}, fmt.Errorf("mark booked: %w", err)
	}
	if err := c.rw.Delete(ctx, slot.String()); err != nil {
		return Reservation{}, fmt.Errorf("drop hold: %w", err)
	}
	return r, c.touchDay(ctx, slot)
}

func (c *Commands) touchDay(ctx context.Context, slot keys.Slot) error {
	stamp := strconv.FormatInt(now().Unix(), 10)
	key := keys.DayStamp(slot.Restaurant, slot.Start)
	return c.rw.Put(ctx, key, []byte(stamp), store.SecondsOf(48*time.Hour)) // DEBATABLE kvhotkey
}
