//go:build js && wasm

package reserve

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tablekeep/bluethroat/internal/edgekv"
	"github.com/tablekeep/bluethroat/internal/model"
)

// ErrDepositMissing is returned while a booking's deposit has not been authorised.
var ErrDepositMissing = errors.New("reserve: deposit not authorised yet")

// confirmation is the working state of one Confirm call.
type confirmation struct {
	booking model.Booking
	deposit *model.Deposit
	seating string
	now     time.Time
}

// stage is one step of confirming a booking.
type stage func(ctx context.Context, c *confirmation) error

// confirmStages is the confirmation pipeline, in order.
func (s *Service) confirmStages() []stage {
	return []stage{
		requirePending,
		s.requireDeposit,
		assignSeating,
		markConfirmed,
	}
}

// ConfirmRequest confirms a pending booking once its deposit has cleared.
type ConfirmRequest struct {
	BookingID string `json:"booking_id"`
}

// ConfirmResponse describes the confirmed booking.
type ConfirmResponse struct {
	Status  string `json:"status"`
	Seating string `json:"seating"`
	Version int    `json:"version"`
}

// Confirm runs the pipeline over the stored booking and writes it once at the end.
func (s *Service) Confirm(ctx context.Context, req *ConfirmRequest) (*ConfirmResponse, error) {
	c := &confirmation{now: s.clock.Now()}
	if err := s.bookings.Load(req.BookingID, &c.booking); err != nil {
		if errors.Is(err, edgekv.ErrNotFound) {
			return nil, ErrNoBooking
		}
		return nil, err
	}
	for _, st := range s.confirmStages() {
		if err := st(ctx, c); err != nil {
			return nil, err
		}
	}
	if err := s.bookings.Store(req.BookingID, &c.booking, 0); err != nil { // EXPECT kvrace
		return nil, err
	}
	return &ConfirmResponse{Status: c.booking.Status.String(), Seating: c.seating, Version: c.booking.Version}, nil
}

func requirePending(_ context.Context, c *confirmation) error {
	if c.booking.Status != model.StatusPending {
		return fmt.Errorf("%w: booking is %s", ErrInvalid, c.booking.Status)
	}
	return nil
}

func (s *Service) requireDeposit(_ context.Context, c *confirmation) error {
	if c.booking.DepositCents == 0 {
		return nil
	}
	var d model.Deposit
	if err := s.deposits.Load(c.booking.ID, &d); err != nil {
		if errors.Is(err, edgekv.ErrNotFound) {
			return ErrDepositMissing
		}
		return err
	}
	if d.Status != "authorized" && d.Status != "captured" {
		return ErrDepositMissing
	}
	c.deposit = &d
	return nil
}

func assignSeating(_ context.Context, c *confirmation) error {
	switch {
	case c.booking.Party >= 8:
		c.seating = "private-room"
	case c.booking.Party >= 5:
		c.seating = "banquette"
	default:
		c.seating = "main-floor"
	}
	c.booking.Notes = appendNote(c.booking.Notes, "seating: "+c.seating)
	return nil
}

func markConfirmed(_ context.Context, c *confirmation) error {
	c.booking.Status = model.StatusConfirmed
	c.booking.Version++
	c.booking.UpdatedAt = c.now
	return nil
}

func appendNote(notes, line string) string {
	if notes == "" {
		return line
	}
	return notes + "\n" + line
}
