package bookings

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"example.com/kiln/internal/kvstore"
	"example.com/kiln/internal/repo"
	"example.com/kiln/internal/ttlpolicy"
)

// Classes looks classes up in the scheduling database.
type Classes interface {
	Class(ctx context.Context, id string) (*Class, error)
}

// Payments creates a payment page for a checkout.
type Payments interface {
	CreateSession(ctx context.Context, checkoutID string, amountCents int64) (url string, err error)
}

// Settings configure the booking service.
type Settings struct {
	HoldFor     time.Duration
	MaxSeats    int
	HistoryDays int
}

// WithHold sets how long an unpaid hold keeps its seats.
func WithHold(d time.Duration) repo.Option[Settings] {
	return func(s *Settings) { s.HoldFor = d }
}

// WithMaxSeats caps seats per booking.
func WithMaxSeats(n int) repo.Option[Settings] {
	return func(s *Settings) { s.MaxSeats = n }
}

// Service takes bookings.
type Service struct {
	bucket   *kvstore.Bucket
	bookings *repo.Base[Booking]
	classes  Classes
	payments Payments
	cfg      Settings
	now      func() time.Time
}

// New returns a booking service.
func New(b *kvstore.Bucket, classes Classes, payments Payments, opts ...repo.Option[Settings]) *Service {
	cfg := Settings{HoldFor: ttlpolicy.BookingHold, MaxSeats: 4, HistoryDays: 365}
	repo.Apply(&cfg, opts...)
	return &Service{
		bucket:   b,
		bookings: repo.NewBase[Booking](b, "booking:"),
		classes:  classes,
		payments: payments,
		cfg:      cfg,
		now:      time.Now,
	}
}

func newID(prefix string) string {
	var b [10]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// ErrFull is returned when a class has no seats left.
var ErrFull = errors.New("bookings: class is full")

// PlaceHold reserves seats and returns the payment page URL.
func (s *Service) PlaceHold(ctx context.Context, classID, studentID string, seats int) (string, error) {
	if seats < 1 || seats > s.cfg.MaxSeats {
		return "", fmt.Errorf("bookings: seats must be between 1 and %d", s.cfg.MaxSeats)
	}
	class, err := s.classes.Class(ctx, classID)
	if err != nil {
		return "", err
	}
	hold := Hold{ID: newID("h_"), ClassID: classID, StudentID: studentID, Seats: seats, CreatedAt: s.now()}
	if err := s.bucket.Entry(holdKey(hold.ID)).JSON(hold).TTL(s.cfg.HoldFor).Put(ctx); err != nil {
		return "", err
	}
	co := Checkout{HoldID: hold.ID, AmountCents: class.PriceCents * int64(seats), ReturnURL: "/classes/" + classID + "/booked"}
	coID := newID("co_")
	err = s.bucket.Entry(checkoutKey(coID)).JSON(co).TTL(20 * time.Second).Put(ctx) // EXPECT kvttl
	if err != nil {
		return "", err
	}
	return s.payments.CreateSession(ctx, coID, co.AmountCents)
}

// Confirm turns a paid hold into a booking and adds it to the class roster.
func (s *Service) Confirm(ctx context.Context, holdID string, paidCents int64) (*Booking, error) {
	var hold Hold
	if err := s.bucket.GetJSON(ctx, holdKey(holdID), &hold); err != nil {
		if kvstore.IsNotFound(err) {
			return nil, errors.New("bookings: hold expired")
		}
		return nil, err
	}
	class, err := s.classes.Class(ctx, hold.ClassID)
	if err != nil {
		return nil, err
	}
	b := &Booking{
		ID:        newID("b_"),
		ClassID:   hold.ClassID,
		StudioID:  class.StudioID,
		StudentID: hold.StudentID,
		Seats:     hold.Seats,
		PaidCents: paidCents,
		CreatedAt: s.now(),
	}
	if err := s.bookings.SaveFor(ctx, class.StudioID+":"+b.ID, b, time.Duration(s.cfg.HistoryDays)*24*time.Hour); err != nil {
		return nil, err
	}
	if err := s.addToRoster(ctx, class, b); err != nil {
		return nil, err
	}
	_ = s.bucket.Delete(ctx, holdKey(holdID))
	return b, nil
}

func (s *Service) addToRoster(ctx context.Context, class *Class, b *Booking) error {
	var r Roster
	err := s.bucket.GetJSON(ctx, rosterKey(class.ID), &r)
	if err != nil && !kvstore.IsNotFound(err) {
		return err
	}
	if r.Seats+b.Seats > class.Capacity {
		return ErrFull
	}
	r.ClassID = class.ID
	r.Bookings = append(r.Bookings, b.ID)
	r.Seats += b.Seats
	keep := time.Duration(s.cfg.HistoryDays) * 24 * time.Hour
	return s.bucket.PutJSON(ctx, rosterKey(class.ID), r, keep) // EXPECT kvrace
}

// Recent returns up to limit bookings of a studio, newest keys last.
func (s *Service) Recent(ctx context.Context, studioID string, limit int) ([]string, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	prefix := bookingKey(studioID, "")
	ids := make([]string, 0, limit)
	for k, err := range s.bucket.Keys(ctx, prefix) {
		if err != nil {
			return nil, err
		}
		ids = append(ids, strings.TrimPrefix(k, prefix))
		if len(ids) == limit {
			break
		}
	}
	return ids, nil
}
