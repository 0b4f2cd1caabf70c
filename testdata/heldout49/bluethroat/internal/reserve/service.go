//go:build js && wasm

// Package reserve books tables: it holds slots, writes bookings and the
// per-day index that the end-of-day jobs read.
package reserve

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/tablekeep/bluethroat/internal/clock"
	"github.com/tablekeep/bluethroat/internal/edgekv"
	"github.com/tablekeep/bluethroat/internal/model"
)

// Errors returned to handlers.
var (
	ErrSlotTaken = errors.New("reserve: table already held for this shift")
	ErrStale     = errors.New("reserve: booking changed since it was read")
	ErrNoBooking = errors.New("reserve: no such booking")
	ErrInvalid   = errors.New("reserve: invalid request")
)

// Service is the booking API.
type Service struct {
	bookings *edgekv.Namespace
	slots    *edgekv.Namespace
	days     *edgekv.Namespace
	cancels  *edgekv.Namespace
	deposits *edgekv.Namespace
	clock    clock.Clock
	// slotGrace keeps a hold a little past the start of the shift so that late
	// guests are not double-booked.
	slotGrace time.Duration
}

// NewService builds the service over the BOOKINGS binding.
func NewService(bookings *edgekv.Namespace, clk clock.Clock, slotGrace time.Duration) *Service {
	return &Service{
		bookings:  bookings.Sub(model.PrefixBooking),
		slots:     bookings.Sub(model.PrefixSlot),
		days:      bookings.Sub(model.PrefixDayIndex),
		cancels:   bookings.Sub("cancel:"),
		deposits:  bookings.Sub(model.PrefixDeposit),
		clock:     clk,
		slotGrace: slotGrace,
	}
}

// ReserveRequest asks for one table for one shift.
type ReserveRequest struct {
	Restaurant   string    `json:"restaurant"`
	Table        string    `json:"table"`
	Shift        string    `json:"shift"`
	StartsAt     time.Time `json:"starts_at"`
	Party        int       `json:"party"`
	GuestID      string    `json:"guest_id"`
	DepositCents int64     `json:"deposit_cents"`
}

// ReserveResponse describes the new booking.
type ReserveResponse struct {
	BookingID string `json:"booking_id"`
	Version   int    `json:"version"`
	Status    string `json:"status"`
}

func (r *ReserveRequest) validate(now time.Time) error {
	switch {
	case r.Restaurant == "" || r.Table == "" || r.Shift == "":
		return fmt.Errorf("%w: restaurant, table and shift are required", ErrInvalid)
	case r.Party < 1 || r.Party > 20:
		return fmt.Errorf("%w: party of %d", ErrInvalid, r.Party)
	case r.StartsAt.Before(now.Add(15 * time.Minute)):
		return fmt.Errorf("%w: too late to book this shift", ErrInvalid)
	}
	return nil
}

// Reserve holds the table and writes the booking.
func (s *Service) Reserve(ctx context.Context, req *ReserveRequest) (*ReserveResponse, error) {
	now := s.clock.Now()
	if err := req.validate(now); err != nil {
		return nil, err
	}
	date := req.StartsAt.Format(model.DayLayout)
	slot := model.SlotKey(req.Restaurant, date, req.Shift, req.Table)

	if _, err := s.slots.Get(slot); err == nil {
		return nil, ErrSlotTaken
	} else if !errors.Is(err, edgekv.ErrNotFound) {
		return nil, err
	}

	id := model.BookingID(req.StartsAt, randomHex(6))
	hold, _ := model.TableHold{BookingID: id, GuestID: req.GuestID}.MarshalText()
	if err := s.slots.PutAtLeast(slot, string(hold), req.StartsAt.Sub(now)+s.slotGrace); err != nil { // EXPECT kvrace
		return nil, err
	}

	b := &model.Booking{
		ID:           id,
		Restaurant:   req.Restaurant,
		Table:        req.Table,
		Shift:        req.Shift,
		Date:         date,
		StartsAt:     req.StartsAt,
		Party:        req.Party,
		GuestID:      req.GuestID,
		Status:       model.StatusPending,
		DepositCents: req.DepositCents,
		Version:      1,
		UpdatedAt:    now,
	}
	if req.DepositCents == 0 {
		b.Status = model.StatusConfirmed
	}
	if err := s.bookings.Store(id, b, 0); err != nil {
		return nil, err
	}
	if err := s.appendDayIndex(req.Restaurant, date, model.DayIndexEntry{
		BookingID: id, Shift: req.Shift, Party: req.Party, GuestID: req.GuestID,
	}); err != nil {
		return nil, err
	}
	return &ReserveResponse{BookingID: id, Version: b.Version, Status: b.Status.String()}, nil
}

// appendDayIndex adds the booking to the restaurant's list for the day.
func (s *Service) appendDayIndex(restaurant, date string, e model.DayIndexEntry) error {
	key := model.DayKey(restaurant, date)
	idx := &model.DayIndex{Restaurant: restaurant, Date: date}
	if err := s.days.Load(key, idx); err != nil && !errors.Is(err, edgekv.ErrNotFound) {
		return err
	}
	idx.Entries = append(idx.Entries, e)
	return s.days.Store(key, idx, 45*24*time.Hour) // EXPECT kvrace
}

// ModifyRequest changes party size or notes on a booking the client has seen at Version.
type ModifyRequest struct {
	BookingID string `json:"booking_id"`
	Version   int    `json:"version"`
	Party     int    `json:"party"`
	Notes     string `json:"notes"`
}

// ModifyResponse returns the new version.
type ModifyResponse struct {
	Version int    `json:"version"`
	ETag    string `json:"etag"`
}

// Modify applies the change if the booking is still at the version the client saw.
func (s *Service) Modify(ctx context.Context, req *ModifyRequest) (*ModifyResponse, error) {
	var b model.Booking
	if err := s.bookings.Load(req.BookingID, &b); err != nil {
		if errors.Is(err, edgekv.ErrNotFound) {
			return nil, ErrNoBooking
		}
		return nil, err
	}
	if b.Version != req.Version {
		return nil, ErrStale
	}
	if req.Party > 0 {
		b.Party = req.Party
	}
	b.Notes = req.Notes
	b.Version++
	b.UpdatedAt = s.clock.Now()
	if err := s.bookings.Store(req.BookingID, &b, 0); err != nil { // EXPECT kvrace
		return nil, err
	}
	return &ModifyResponse{Version: b.Version, ETag: b.ETag()}, nil
}

// Booking returns the stored booking.
func (s *Service) Booking(ctx context.Context, id string) (*model.Booking, error) {
	var b model.Booking
	if err := s.bookings.Load(id, &b); err != nil {
		if errors.Is(err, edgekv.ErrNotFound) {
			return nil, ErrNoBooking
		}
		return nil, err
	}
	return &b, nil
}

// CancelRequest cancels a booking on behalf of its guest.
type CancelRequest struct {
	BookingID string `json:"booking_id"`
	GuestID   string `json:"guest_id"`
	Reason    string `json:"reason"`
}

// CancelResponse confirms the cancellation.
type CancelResponse struct {
	CancelledAt time.Time `json:"cancelled_at"`
}

// Cancel records a cancellation and frees the table. Bookings themselves are not
// rewritten; readers join them with the cancellation record.
func (s *Service) Cancel(ctx context.Context, req *CancelRequest) (*CancelResponse, error) {
	b, err := s.Booking(ctx, req.BookingID)
	if err != nil {
		return nil, err
	}
	if b.GuestID != req.GuestID {
		return nil, ErrNoBooking
	}
	now := s.clock.Now()
	rec := fmt.Sprintf(`{"reason":%q,"at":%q}`, req.Reason, now.Format(time.RFC3339))
	if err := s.cancels.PutUntil(b.ID, rec, now.AddDate(0, 3, 0)); err != nil {
		return nil, err
	}
	if err := s.slots.Delete(model.SlotKey(b.Restaurant, b.Date, b.Shift, b.Table)); err != nil {
		return nil, err
	}
	return &CancelResponse{CancelledAt: now}, nil
}

// Cancelled reports whether a cancellation has been recorded for the booking.
func (s *Service) Cancelled(id string) (bool, error) {
	_, err := s.cancels.Get(id)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, edgekv.ErrNotFound):
		return false, nil
	default:
		return false, err
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
