//go:build js && wasm

// Package reservation lets drivers hold a connector for a time slot.
package reservation

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"time"

	"example.com/wren/internal/keys"
	"example.com/wren/internal/lifetime"
)

// SlotLength is the reservation granularity.
const SlotLength = 15 * time.Minute

// MaxAhead is how far ahead a slot may be booked.
const MaxAhead = 48 * time.Hour

// Reservation holds a connector for a driver.
type Reservation struct {
	ID        string    `json:"id"`
	ChargerID string    `json:"charger_id"`
	Connector int       `json:"connector"`
	DriverID  string    `json:"driver_id"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
}

// Slot is the reservation key's slot number.
func (r Reservation) Slot() int64 { return r.Start.Unix() / 60 }

var (
	ErrTaken   = errors.New("reservation: slot taken")
	ErrBadSlot = errors.New("reservation: slot not bookable")
)

// slotStore is what the Service needs from the reservations namespace.
type slotStore interface {
	Get(ctx context.Context, key string) ([]byte, bool, error)
	PutFor(ctx context.Context, key string, val []byte, ttl time.Duration) error
	PutAtLeast(ctx context.Context, key string, val []byte, ttl time.Duration) error
}

// Service books and cancels reservations.
type Service struct {
	store slotStore
	now   func() time.Time
}

// NewService returns a Service over store.
func NewService(store slotStore) *Service { return &Service{store: store, now: time.Now} }

func newID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Reserve books [start, start+n*SlotLength) on a connector.
func (s *Service) Reserve(ctx context.Context, driverID, chargerID string, connector int, start time.Time, slots int) (Reservation, error) {
	now := s.now()
	start = start.Truncate(SlotLength)
	if slots < 1 || slots > 8 || start.Before(now.Add(-SlotLength)) || start.After(now.Add(MaxAhead)) {
		return Reservation{}, ErrBadSlot
	}
	r := Reservation{
		ID: newID(), ChargerID: chargerID, Connector: connector, DriverID: driverID,
		Start: start, End: start.Add(time.Duration(slots) * SlotLength),
	}
	key := keys.Reservation(chargerID, connector, r.Slot())
	if _, taken, err := s.store.Get(ctx, key); err != nil {
		return Reservation{}, err
	} else if taken {
		return Reservation{}, ErrTaken
	}
	b, err := json.Marshal(r)
	if err != nil {
		return Reservation{}, err
	}
	if err := s.store.PutAtLeast(ctx, key, b, time.Until(r.End)); err != nil { // EXPECT kvrace
		return Reservation{}, err
	}
	if err := s.store.PutAtLeast(ctx, "rsv-id:"+r.ID, []byte(key), time.Until(r.End)); err != nil {
		return Reservation{}, err
	}
	return r, s.scheduleReminder(ctx, r)
}

// scheduleReminder leaves a marker that expires when the reminder is due.
func (s *Service) scheduleReminder(ctx context.Context, r Reservation) error {
	due := r.Start.Add(-15 * time.Minute)
	if !due.After(s.now()) {
		return nil
	}
	b, _ := json.Marshal(map[string]string{"reservation": r.ID, "driver": r.DriverID})
	return s.store.PutFor(ctx, "remind:"+r.ID, b, time.Until(due)) // EXPECT kvttl
}

// MarkNoShow flags a reservation whose driver did not plug in; the flag
// lives until the slot ends so the connector can be released early.
func (s *Service) MarkNoShow(ctx context.Context, r Reservation) error {
	ttl := max(time.Until(r.End), 5*time.Second) // EXPECT kvttl
	key := "noshow:" + keys.Reservation(r.ChargerID, r.Connector, r.Slot())
	return s.store.PutFor(ctx, key, []byte(r.DriverID), ttl)
}

// Hold is a short courtesy hold placed when a driver navigates to a charger.
func (s *Service) Hold(ctx context.Context, driverID, chargerID string, connector int, eta time.Time) error {
	ttl := lifetime.Clamp(time.Until(eta.Add(5*time.Minute)), lifetime.MinKVTTL, time.Hour)
	key := "hold:" + keys.Connector(chargerID, connector) + ":" + driverID
	return s.store.PutFor(ctx, key, []byte(eta.UTC().Format(time.RFC3339)), ttl)
}
