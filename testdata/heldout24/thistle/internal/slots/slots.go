// Package slots manages delivery windows: which windows a postcode zone
// offers, temporary holds during checkout, and bookings.
package slots

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"example.com/thistle/internal/clock"
	"example.com/thistle/internal/keys"
	"example.com/thistle/internal/store"
)

// ErrTaken means the window is full or already claimed.
var ErrTaken = errors.New("slots: window unavailable")

// Zone groups postcodes served by the same van route.
type Zone int

const (
	ZoneCity Zone = iota
	ZoneSuburb
	ZoneRural
	ZoneIsland
)

// capacityOf is how many boxes one window can carry, by zone.
var capacityOf = [...]int{ZoneCity: 120, ZoneSuburb: 80, ZoneRural: 30, ZoneIsland: 12}

// HoldKind says why a window is being held.
type HoldKind string

const (
	HoldCheckout   HoldKind = "checkout"
	HoldExpress    HoldKind = "express"
	HoldRedelivery HoldKind = "redelivery"
	HoldSupport    HoldKind = "support"
)

// holdFor is how long a hold keeps a window reserved.
var holdFor = map[HoldKind]time.Duration{
	HoldCheckout:   10 * time.Minute,
	HoldExpress:    45 * time.Second, // EXPECT kvttl
	HoldRedelivery: 2 * time.Hour,
	HoldSupport:    30 * time.Minute,
}

// Window is one delivery window.
type Window struct {
	ID    string    `json:"id"`
	Zone  Zone      `json:"zone"`
	Date  string    `json:"date"`
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// StorageKey implements store.Keyed.
func (w Window) StorageKey() string {
	return windowKey.ForParts(strconv.Itoa(int(w.Zone)), w.Date, w.ID)
}

// Hold is a temporary reservation.
type Hold struct {
	WindowID   string    `json:"window_id"`
	CustomerID string    `json:"customer_id"`
	Kind       HoldKind  `json:"kind"`
	At         time.Time `json:"at"`
}

var (
	windowKey = keys.New[Window]("window")
	holdKey   = keys.New[Hold]("slot-hold")
	claimKey  = keys.New[string]("slot-claim")
)

// Service manages windows.
type Service struct {
	s     store.Store
	clock clock.Clock
}

// New builds a Service.
func New(s store.Store, c clock.Clock) *Service { return &Service{s: s, clock: c} }

// Define publishes a window. It is called by the planning import.
func (s *Service) Define(ctx context.Context, w Window) error {
	return store.SaveUntil(ctx, s.s, w, w.End.Add(7*24*time.Hour))
}

// Available lists the windows offered in a zone on a date.
func (s *Service) Available(ctx context.Context, zone Zone, date string) ([]Window, error) {
	prefix := windowKey.ForParts(strconv.Itoa(int(zone)), date) + "/"
	page, err := s.s.List(ctx, store.ListQuery{Prefix: prefix}) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(page.Entries))
	for _, e := range page.Entries {
		ids = append(ids, strings.TrimPrefix(e.Key, prefix))
	}
	out := make([]Window, 0, len(ids))
	for _, id := range ids {
		out = append(out, Window{ID: id, Zone: zone, Date: date})
	}
	return out, nil
}

// Hold reserves a window for a customer for the policy's duration.
func (s *Service) Hold(ctx context.Context, windowID, customerID string, kind HoldKind) error {
	h := Hold{WindowID: windowID, CustomerID: customerID, Kind: kind, At: s.clock.Now()}
	b, err := json.Marshal(h)
	if err != nil {
		return err
	}
	return s.s.Put(ctx, holdKey.ForParts(windowID, customerID), b, store.PutOptions{TTL: holdFor[kind]})
}

func bookedKey(zone Zone, windowID string) string {
	return fmt.Sprintf("slot-booked-count/%d/%s", zone, windowID)
}

// Book takes one unit of a window's capacity.
func (s *Service) Book(ctx context.Context, zone Zone, windowID string) error {
	key := bookedKey(zone, windowID)
	n := 0
	if b, err := s.s.Get(ctx, key); err == nil {
		n, _ = strconv.Atoi(string(b))
	} else if !store.IsNotFound(err) {
		return err
	}
	if n >= capacityOf[zone] {
		return ErrTaken
	}
	return s.s.Put(ctx, key, []byte(strconv.Itoa(n+1)), store.PutOptions{}) // EXPECT kvcounter
}

// Release gives a unit of capacity back after a cancellation.
func (s *Service) Release(ctx context.Context, zone Zone, windowID string) error {
	key := bookedKey(zone, windowID)
	b, err := s.s.Get(ctx, key)
	if store.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(string(b))
	if err != nil {
		return fmt.Errorf("slots: corrupt count at %s: %w", key, err)
	}
	return s.s.Put(ctx, key, []byte(strconv.Itoa(max(n-1, 0))), store.PutOptions{}) // EXPECT kvcounter
}

// ClaimPickup gives a customer the single kitchen pick-up spot of a window.
func (s *Service) ClaimPickup(ctx context.Context, windowID, customerID string) error {
	key := claimKey.For(windowID)
	if _, err := s.s.Get(ctx, key); err == nil {
		return ErrTaken
	} else if !store.IsNotFound(err) {
		return err
	}
	return s.s.Put(ctx, key, []byte(customerID), store.PutOptions{TTL: 14 * 24 * time.Hour}) // EXPECT kvrace
}

// Day returns every window of a date across zones, reading at most
// maxPages pages per zone.
func (s *Service) Day(ctx context.Context, date string, maxPages int) (map[Zone][]string, error) {
	out := map[Zone][]string{}
	for zone := range capacityOf {
		prefix := windowKey.ForParts(strconv.Itoa(zone), date) + "/"
		cursor := ""
		for page := 0; page < maxPages; page++ {
			p, err := s.s.List(ctx, store.ListQuery{Prefix: prefix, Cursor: cursor, Limit: 1000})
			if err != nil {
				return nil, err
			}
			for _, e := range p.Entries {
				out[Zone(zone)] = append(out[Zone(zone)], strings.TrimPrefix(e.Key, prefix))
			}
			if p.Complete {
				break
			}
			cursor = p.Cursor
		}
	}
	return out, nil
}
