// Package booking implements seat holds and checkout.
package booking

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"example.com/tickets/internal/domain"
	"example.com/tickets/internal/repo"
)

// HoldOption configures a HoldService.
type HoldOption func(*HoldService)

// WithHoldDuration sets how long a fresh hold keeps the seat.
func WithHoldDuration(d time.Duration) HoldOption {
	return func(s *HoldService) { s.holdFor = d }
}

// WithExtension sets how much time an "I need more time" click buys.
func WithExtension(d time.Duration) HoldOption {
	return func(s *HoldService) { s.extendBy = d }
}

// WithClock overrides time.Now, for tests.
func WithClock(now func() time.Time) HoldOption {
	return func(s *HoldService) { s.now = now }
}

type HoldService struct {
	holds    *repo.Repo[domain.Hold]
	lister   domain.Lister
	holdFor  time.Duration
	extendBy time.Duration
	now      func() time.Time
	log      *slog.Logger
}

func NewHoldService(holds *repo.Repo[domain.Hold], lister domain.Lister, log *slog.Logger, opts ...HoldOption) *HoldService {
	s := &HoldService{holds: holds, lister: lister, holdFor: 10 * time.Minute, extendBy: 5 * time.Minute, now: time.Now, log: log}
	for _, o := range opts {
		o(s)
	}
	return s
}

func holdID(eventID, seat string) string { return eventID + ":" + strings.ToUpper(seat) }

// Hold places a hold on one seat for userID.
func (s *HoldService) Hold(ctx context.Context, eventID, seat, userID string) (*domain.Hold, error) {
	id := holdID(eventID, seat)
	if _, err := s.holds.Get(ctx, id); err == nil {
		return nil, domain.ErrSeatHeld
	} else if !errors.Is(err, domain.ErrNotFound) {
		return nil, fmt.Errorf("booking: check hold %s: %w", id, err)
	}
	now := s.now().UTC()
	h := &domain.Hold{
		EventID:   eventID,
		Seat:      strings.ToUpper(seat),
		UserID:    userID,
		CreatedAt: now,
		ExpiresAt: now.Add(s.holdFor),
	}
	if err := s.holds.PutTTL(ctx, id, h, s.holdFor); err != nil { // EXPECT kvrace
		return nil, err
	}
	s.log.InfoContext(ctx, "seat held", "event", eventID, "seat", h.Seat, "user", userID)
	return h, nil
}

// Extend gives the holder more time to finish checkout.
func (s *HoldService) Extend(ctx context.Context, eventID, seat, userID string) (*domain.Hold, error) {
	id := holdID(eventID, seat)
	h, err := s.holds.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if h.UserID != userID {
		return nil, domain.ErrForbidden
	}
	now := s.now().UTC()
	h.ExpiresAt = now.Add(s.extendBy)
	h.ExtendedAt = &now
	if err := s.holds.PutTTL(ctx, id, h, s.extendBy); err != nil { // EXPECT kvrace
		return nil, err
	}
	return h, nil
}

// Release drops the caller's hold.
func (s *HoldService) Release(ctx context.Context, eventID, seat, userID string) error {
	id := holdID(eventID, seat)
	h, err := s.holds.Get(ctx, id)
	if errors.Is(err, domain.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if h.UserID != userID {
		return domain.ErrForbidden
	}
	return s.holds.Delete(ctx, id)
}

// HeldSeats lists seats currently held for an event.
func (s *HoldService) HeldSeats(ctx context.Context, eventID string) ([]string, error) {
	keys, err := s.lister.Keys(ctx, "hold:"+eventID+":")
	if err != nil {
		return nil, err
	}
	seats := make([]string, 0, len(keys))
	for _, k := range keys {
		seats = append(seats, k[strings.LastIndexByte(k, ':')+1:])
	}
	return seats, nil
}
