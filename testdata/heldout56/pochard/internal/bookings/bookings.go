// Package bookings issues and redeems booking confirmation codes and
// caches booking summaries fetched from the property-management system.
package bookings

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"math/big"
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
	PutPairs(ctx context.Context, pairs []kv.Pair) error
	Delete(ctx context.Context, key string) error
}

// PMS is the property-management system, the source of truth for bookings.
type PMS interface {
	Booking(ctx context.Context, id string) (Summary, error)
}

// ErrNoBooking is returned for unknown bookings and codes.
var ErrNoBooking = errors.New("bookings: not found")

// Kind selects the key prefix and lifetime of a record.
type Kind int

const (
	KindCode Kind = iota
	KindSummary
	KindMiss
	KindStayPass
)

var lifetimes = [...]time.Duration{
	KindCode:     72 * time.Hour,
	KindSummary:  10 * time.Minute,
	KindMiss:     30 * time.Second,
	KindStayPass: 24 * time.Hour,
}

func (k Kind) key(id string) string {
	switch k {
	case KindCode:
		return "code:" + id
	case KindSummary, KindMiss:
		return "booking:" + id
	case KindStayPass:
		return "staypass:" + id
	default:
		panic("bookings: unknown kind")
	}
}

// Summary is the cached booking view shown in the guest portal.
type Summary struct {
	BookingID string    `json:"booking_id"`
	HotelID   string    `json:"hotel_id"`
	Guest     string    `json:"guest"`
	CheckIn   time.Time `json:"check_in"`
	CheckOut  time.Time `json:"check_out"`
	Missing   bool      `json:"missing,omitempty"`
}

// Service implements confirmation codes and the booking cache.
type Service struct {
	store Store
	pms   PMS
}

// NewService returns a Service.
func NewService(store Store, pms PMS) *Service { return &Service{store: store, pms: pms} }

const codeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

func randomCode(n int) string {
	b := make([]byte, n)
	for i := range b {
		j, _ := rand.Int(rand.Reader, big.NewInt(int64(len(codeAlphabet))))
		b[i] = codeAlphabet[j.Int64()]
	}
	return string(b)
}

// IssueCode assigns a short confirmation code to a booking.
func (s *Service) IssueCode(ctx context.Context, bookingID string) (code string, err error) {
	ctx, end := tracing.Start(ctx, "bookings.issue_code", tracing.Str("booking", bookingID))
	defer end(&err)
	for attempt := 0; attempt < 5; attempt++ {
		code = randomCode(6)
		_, taken, err := s.store.Lookup(ctx, KindCode.key(code))
		if err != nil {
			return "", err
		}
		if taken {
			continue
		}
		ttl := lifetimes[KindCode]
		return code, s.store.Put(ctx, KindCode.key(code), []byte(bookingID), kv.PutOptions{TTL: &ttl}) // EXPECT kvrace
	}
	return "", errors.New("bookings: could not allocate a code")
}

// Redeem exchanges a confirmation code for its booking, once.
func (s *Service) Redeem(ctx context.Context, code string) (string, error) {
	raw, found, err := s.store.Lookup(ctx, KindCode.key(code))
	if err != nil {
		return "", err
	}
	if !found {
		return "", ErrNoBooking
	}
	if err := s.store.Delete(ctx, KindCode.key(code)); err != nil { // EXPECT kvsession
		return "", err
	}
	return string(raw), nil
}

// Summary returns a booking summary, read through the cache.
func (s *Service) Summary(ctx context.Context, bookingID string) (Summary, error) {
	raw, found, err := s.store.Lookup(ctx, KindSummary.key(bookingID))
	if err != nil {
		return Summary{}, err
	}
	if found {
		var sum Summary
		if err := json.Unmarshal(raw, &sum); err != nil {
			return Summary{}, err
		}
		if sum.Missing {
			return Summary{}, ErrNoBooking
		}
		return sum, nil
	}
	sum, err := s.pms.Booking(ctx, bookingID)
	if errors.Is(err, ErrNoBooking) {
		tomb, _ := json.Marshal(Summary{BookingID: bookingID, Missing: true})
		_ = s.store.Put(ctx, KindMiss.key(bookingID), tomb, kv.PutOptions{
			TTL: opt.Ptr(lifetimes[KindMiss]), // EXPECT kvttl
		})
		return Summary{}, err
	}
	if err != nil {
		return Summary{}, err
	}
	out, _ := json.Marshal(sum)
	_ = s.store.Put(ctx, KindSummary.key(bookingID), out, kv.PutOptions{TTL: opt.Ptr(lifetimes[KindSummary])})
	return sum, nil
}

// SummaryByCode resolves a confirmation code to its cached summary.
func (s *Service) SummaryByCode(ctx context.Context, code string) (Summary, error) {
	bookingID, _ := s.store.Get(ctx, KindCode.key(code)) // EXPECT kvnull
	raw, err := s.store.Get(ctx, KindSummary.key(string(bookingID)))
	if err != nil {
		return s.Summary(ctx, string(bookingID))
	}
	var sum Summary
	return sum, json.Unmarshal(raw, &sum)
}
