// Package inventory places and releases short-lived room holds while a
// guest completes checkout on a partner's booking engine.
package inventory

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"pochard/internal/kv"
	"pochard/internal/opt"
	"pochard/internal/tracing"
)

// Store is the slice of the KV namespace this package needs.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Lookup(ctx context.Context, key string) ([]byte, bool, error)
	Put(ctx context.Context, key string, value []byte, o kv.PutOptions) error
	Delete(ctx context.Context, key string) error
}

// ErrSoldOut is returned when a night has no rooms left to hold.
var ErrSoldOut = errors.New("inventory: no rooms left")

// Hold is one room hold.
type Hold struct {
	ID        string    `json:"id"`
	HotelID   string    `json:"hotel_id"`
	RoomType  string    `json:"room_type"`
	Night     string    `json:"night"`
	Rooms     int       `json:"rooms"`
	ExpiresAt time.Time `json:"expires_at"`
	Released  bool      `json:"released,omitempty"`
}

// Availability is the stored allotment for one room type and night.
type Availability struct {
	Total     int       `json:"total"`
	Held      int       `json:"held"`
	UpdatedAt time.Time `json:"updated_at"`
}

// PlaceCommand is the service-level form of a hold request.
type PlaceCommand struct {
	HotelID  string
	RoomType string
	Night    string
	Rooms    int
	TTL      *time.Duration
}

// Service implements holds.
type Service struct {
	store  Store
	window time.Duration
}

// NewService returns a Service. window is the partner's confirmation window.
func NewService(store Store, window time.Duration) *Service {
	return &Service{store: store, window: window}
}

func holdKey(id string) string     { return "hold:" + id }
func indexKey(hotel string) string { return "inventory:holds:" + hotel }
func availKey(hotel, room, night string) string {
	return "inventory:avail:" + hotel + ":" + room + ":" + night
}

func newHoldID() string {
	var b [10]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Place reserves rooms and stores the hold with an expiry.
func (s *Service) Place(ctx context.Context, cmd PlaceCommand) (h Hold, err error) {
	ctx, end := tracing.Start(ctx, "inventory.place", tracing.Str("hotel", cmd.HotelID))
	defer end(&err)
	if err := s.reserve(ctx, availKey(cmd.HotelID, cmd.RoomType, cmd.Night), cmd.Rooms); err != nil {
		return Hold{}, err
	}
	ttl := max(opt.Deref(cmd.TTL, 15*time.Minute), time.Minute)
	h = Hold{
		ID:        newHoldID(),
		HotelID:   cmd.HotelID,
		RoomType:  cmd.RoomType,
		Night:     cmd.Night,
		Rooms:     cmd.Rooms,
		ExpiresAt: time.Now().Add(ttl),
	}
	raw, err := json.Marshal(h)
	if err != nil {
		return Hold{}, err
	}
	return h, s.store.Put(ctx, holdKey(h.ID), raw, kv.PutOptions{TTL: &ttl})
}

func (s *Service) reserve(ctx context.Context, key string, rooms int) error {
	raw, err := s.store.Get(ctx, key)
	if err != nil {
		return err
	}
	var a Availability
	if err := json.Unmarshal(raw, &a); err != nil {
		return err
	}
	if a.Total-a.Held < rooms {
		return ErrSoldOut
	}
	a.Held += rooms
	a.UpdatedAt = time.Now().UTC()
	out, _ := json.Marshal(a)
	return s.store.Put(ctx, key, out, kv.PutOptions{}) // EXPECT kvrace
}

// Extend pushes a hold's expiry out to until, e.g. when the guest
// reaches the payment step.
func (s *Service) Extend(ctx context.Context, h Hold, until time.Time) error {
	h.ExpiresAt = until
	raw, err := json.Marshal(h)
	if err != nil {
		return err
	}
	return s.store.Put(ctx, holdKey(h.ID), raw, kv.PutOptions{ // DEBATABLE kvrace
		TTL: opt.Ptr(time.Until(until)), // EXPECT kvttl
	})
}

// Release frees a hold and removes it from the hotel's hold index.
func (s *Service) Release(ctx context.Context, hotelID, holdID string) error {
	raw, found, err := s.store.Lookup(ctx, holdKey(holdID))
	if err != nil || !found {
		return err
	}
	var h Hold
	if err := json.Unmarshal(raw, &h); err != nil || h.Released {
		return err
	}
	idx, err := s.store.Get(ctx, indexKey(hotelID))
	if err != nil {
		return err
	}
	defer func() {
		var ids []string
		if json.Unmarshal(idx, &ids) != nil {
			return
		}
		ids = slices.DeleteFunc(ids, func(id string) bool { return id == holdID })
		out, _ := json.Marshal(ids)
		_ = s.store.Put(ctx, indexKey(hotelID), out, kv.PutOptions{}) // EXPECT kvrace
	}()
	tomb, _ := json.Marshal(Hold{ID: holdID, HotelID: hotelID, Released: true})
	return s.store.Put(ctx, holdKey(holdID), tomb, kv.PutOptions{TTL: opt.Ptr(10 * time.Minute)})
}

// SeedNight makes sure an allotment record exists for a night.
func (s *Service) SeedNight(ctx context.Context, hotelID, roomType, night string, total int) error {
	key := availKey(hotelID, roomType, night)
	if _, err := s.store.Get(ctx, key); err != nil { // EXPECT kvnull
		a := Availability{Total: total, UpdatedAt: time.Now().UTC()}
		raw, _ := json.Marshal(a)
		return s.store.Put(ctx, key, raw, kv.PutOptions{}) // DEBATABLE kvrace
	}
	return nil
}

// Hold loads one hold.
func (s *Service) Hold(ctx context.Context, id string) (Hold, bool, error) {
	raw, found, err := s.store.Lookup(ctx, holdKey(id))
	if err != nil || !found {
		return Hold{}, false, err
	}
	var h Hold
	return h, true, json.Unmarshal(raw, &h)
}
