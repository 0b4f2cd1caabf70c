// Package projections keeps read-side views in KV up to date from domain
// events. Subscribers are registered once, at wiring time.
package projections

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"example.com/juniper/internal/availability"
	"example.com/juniper/internal/events"
	"example.com/juniper/internal/kvstore"
	"example.com/juniper/internal/records"
)

// Register subscribes the projections on bus, writing to store.
func Register(bus *events.Bus, store kvstore.Store) {
	events.Subscribe(bus, "daily-bookings", func(ctx context.Context, e events.ReservationCreated) error {
		return countBooking(ctx, store, e)
	})
	// Remember each guest's latest booking for the host stand's "welcome
	// back" banner.
	events.Subscribe(bus, "guest-last-visit", func(ctx context.Context, e events.ReservationCreated) error {
		if e.GuestEmail == "" {
			return nil
		}
		b, _ := json.Marshal(map[string]any{"venue": e.VenueID, "party": e.PartySize, "at": e.At})
		return store.Put(ctx, records.Hash("guest-last/", e.GuestEmail), b, kvstore.WithTTL(400*24*time.Hour))
	})
	events.Subscribe(bus, "guest-history", func(ctx context.Context, e events.ReservationCreated) error {
		return appendVisit(ctx, store, e)
	})
	events.Subscribe(bus, "slots-on-book", func(ctx context.Context, e events.ReservationCreated) error {
		return store.Delete(ctx, availability.SlotsKey(e.VenueID, e.Slot))
	})
	events.Subscribe(bus, "slots-on-cancel", func(ctx context.Context, e events.ReservationCancelled) error {
		return store.Delete(ctx, availability.SlotsKey(e.VenueID, e.Slot))
	})
}

func countBooking(ctx context.Context, store kvstore.Store, e events.ReservationCreated) error {
	key := records.Join("bookings-count", e.VenueID, e.At.Format(time.DateOnly))
	n := 0
	if b, err := store.Get(ctx, key); err == nil {
		if n, err = strconv.Atoi(string(b)); err != nil {
			return err
		}
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	return store.Put(ctx, key, []byte(strconv.Itoa(n+1)), kvstore.WithTTL(8*24*time.Hour)) // EXPECT kvcounter
}

type visit struct {
	VenueID   string    `json:"venue"`
	PartySize int       `json:"party"`
	Slot      time.Time `json:"slot"`
}

// appendVisit keeps the guest's last visits for the host stand's guest card.
func appendVisit(ctx context.Context, store kvstore.Store, e events.ReservationCreated) error {
	key := records.Hash("guest-history/", e.GuestEmail)
	var visits []visit
	if b, err := store.Get(ctx, key); err == nil {
		if err := json.Unmarshal(b, &visits); err != nil {
			return err
		}
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	visits = append(visits, visit{VenueID: e.VenueID, PartySize: e.PartySize, Slot: e.Slot})
	if len(visits) > 20 {
		visits = visits[len(visits)-20:]
	}
	b, _ := json.Marshal(visits)
	return store.Put(ctx, key, b, kvstore.WithTTL(400*24*time.Hour)) // EXPECT kvrace
}
