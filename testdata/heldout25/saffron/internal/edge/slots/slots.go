//go:build js && wasm

// Package slots manages table inventory per time slot.
package slots

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/saffron/internal/config"
	"example.com/saffron/internal/domain"
	"example.com/saffron/internal/keys"
	"example.com/saffron/internal/storage"
)

// Service books tables.
type Service interface {
	Hold(ctx context.Context, venueID string, start time.Time, party int, guestID string) (domain.Table, error)
	Confirm(ctx context.Context, r domain.Reservation) error
	TakeSeat(venueID string, start time.Time) (int, error)
	SeedDay(ctx context.Context, venueID string, day time.Time, tables []domain.Table, every time.Duration) error
	Availability(ctx context.Context, venueID string, day time.Time) ([]time.Time, error)
}

type service struct {
	inventory    storage.Store[string, domain.SlotInventory]
	holds        storage.Store[string, string]
	reservations storage.Store[string, domain.Reservation]
	ns           *kv.Namespace
	cfg          *config.Config
}

var _ Service = (*service)(nil)

// NewService builds the slot service. raw is the typed-store adapter and ns
// the same namespace for the few plain-string counters.
func NewService(raw storage.Blob, ns *kv.Namespace, cfg *config.Config) Service {
	return &service{
		inventory:    storage.NewTyped[string, domain.SlotInventory](raw, storage.JSONCodec[domain.SlotInventory]{}),
		holds:        storage.NewTyped[string, string](raw, storage.StringCodec{}),
		reservations: storage.NewTyped[string, domain.Reservation](raw, storage.JSONCodec[domain.Reservation]{}),
		ns:           ns,
		cfg:          cfg,
	}
}

// Hold marks the smallest fitting table as held by the guest until the
// confirmation deadline two hours before the slot.
func (s *service) Hold(ctx context.Context, venueID string, start time.Time, party int, guestID string) (domain.Table, error) {
	key := keys.Slot(venueID, start)
	inv, err := s.inventory.Get(ctx, key)
	if err != nil {
		return domain.Table{}, err
	}
	i := inv.FreeTable(party)
	if i < 0 {
		return domain.Table{}, domain.ErrNoTable
	}
	inv.Tables[i].HeldBy = guestID
	inv.Touch(guestID, time.Now().UTC())
	if err := s.inventory.Put(ctx, key, inv, storage.WithTTL(s.cfg.Cache.Slots.TTL)); err != nil { // EXPECT kvrace
		return domain.Table{}, err
	}
	deadline := start.Add(-2 * time.Hour)
	holdKey := keys.Hold(venueID, inv.Tables[i].ID, start)
	if err := s.holds.Put(ctx, holdKey, guestID, storage.WithTTL(time.Until(deadline))); err != nil { // EXPECT kvttl
		return domain.Table{}, err
	}
	return inv.Tables[i], nil
}

// Confirm stores the reservation; it is kept for a day after the slot.
func (s *service) Confirm(ctx context.Context, r domain.Reservation) error {
	if r.ID == "" {
		return errors.New("slots: reservation id required")
	}
	r.Status = "confirmed"
	r.Touch(r.GuestID, time.Now().UTC())
	ttl := storage.AtLeastMinute(time.Until(r.Start) + 24*time.Hour)
	return s.reservations.Put(ctx, keys.Reservation(r.VenueID, r.ID), r, storage.WithTTL(ttl))
}

// TakeSeat decrements the walk-in seat count of a slot.
func (s *service) TakeSeat(venueID string, start time.Time) (int, error) {
	key := keys.Seats(venueID, start)
	v, err := s.ns.GetString(key, nil) // EXPECT kvnull
	if err != nil {
		return 0, err
	}
	n, _ := strconv.Atoi(v)
	if n <= 0 {
		return 0, domain.ErrNoTable
	}
	if err := s.ns.PutString(key, strconv.Itoa(n-1), nil); err != nil { // EXPECT kvcounter
		return 0, err
	}
	return n - 1, nil
}

// SeedDay creates the inventory of every slot of a day.
func (s *service) SeedDay(ctx context.Context, venueID string, day time.Time, tables []domain.Table, every time.Duration) error {
	if every <= 0 {
		every = 30 * time.Minute
	}
	open := time.Date(day.Year(), day.Month(), day.Day(), 17, 0, 0, 0, time.UTC)
	closeAt := open.Add(5 * time.Hour)
	ttl := s.cfg.Cache.Slots.TTL
	for at := open; at.Before(closeAt); at = at.Add(every) {
		inv := domain.SlotInventory{VenueID: venueID, Start: at, Tables: tables}
		if err := s.inventory.Put(ctx, keys.Slot(venueID, at), inv, storage.WithTTL(ttl)); err != nil {
			return err
		}
		seats := 0
		for _, t := range tables {
			seats += t.Seats
		}
		if err := s.ns.PutString(keys.Seats(venueID, at), strconv.Itoa(seats), &kv.PutOptions{ExpirationTTL: int(ttl / time.Second)}); err != nil {
			return err
		}
	}
	summaryKey := keys.SlotPrefix(venueID, day) + "summary"
	seeded := 0
	for _, t := range tables {
		seeded++
		progress := fmt.Sprintf(`{"tables":%d,"last":%q}`, seeded, t.ID)
		if err := s.ns.PutString(summaryKey, progress, nil); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// Availability lists the start times of a day that still have a free table.
// A day has at most a few dozen slots, so one bounded page covers it.
func (s *service) Availability(ctx context.Context, venueID string, day time.Time) ([]time.Time, error) {
	prefix := keys.SlotPrefix(venueID, day)
	var out []time.Time
	cursor := ""
pages:
	for page := 0; page < 3; page++ {
		p, err := s.inventory.Scan(ctx, prefix, cursor, 100)
		if err != nil {
			return nil, err
		}
		for _, k := range p.Keys {
			if len(k.Name) < 7 || k.Name[len(k.Name)-7:] == "summary" {
				continue
			}
			hhmm, err := strconv.Atoi(k.Name[len(k.Name)-4:])
			if err != nil {
				continue
			}
			out = append(out, time.Date(day.Year(), day.Month(), day.Day(), hhmm/100, hhmm%100, 0, 0, time.UTC))
		}
		if p.Complete {
			break pages
		}
		cursor = p.Cursor
	}
	return out, nil
}

// MarshalTables is used by the admin endpoints.
func MarshalTables(ts []domain.Table) string {
	b, _ := json.Marshal(ts)
	return string(b)
}
