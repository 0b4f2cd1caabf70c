// Package unlock issues and redeems the short codes riders type on a bike or
// scooter to release it.
package unlock

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"time"

	"example.com/ember/internal/clock"
	"example.com/ember/internal/keys"
	"example.com/ember/internal/kvstore"
)

var (
	// ErrBadCode is returned for a wrong or expired code.
	ErrBadCode = errors.New("unlock: invalid code")
	// ErrLocked is returned when a vehicle saw too many wrong codes.
	ErrLocked = errors.New("unlock: vehicle temporarily locked")
)

// Code is an issued unlock code.
type Code struct {
	Vehicle string    `json:"vehicle"`
	Code    string    `json:"code"`
	Rider   string    `json:"rider"`
	Issued  time.Time `json:"issued"`
	Preview bool      `json:"preview,omitempty"`
}

// Service issues unlock codes.
type Service struct {
	store       kvstore.Store
	clock       clock.Clock
	codeTTL     time.Duration
	scanWindow  time.Duration
	maxAttempts int
	lockout     time.Duration
}

// Option configures a Service.
type Option func(*Service)

// WithCodeTTL sets how long an unlock code stays valid.
func WithCodeTTL(d time.Duration) Option { return func(s *Service) { s.codeTTL = d } }

// WithScanWindow sets how long the app waits for a QR scan.
func WithScanWindow(d time.Duration) Option { return func(s *Service) { s.scanWindow = d } }

// WithMaxAttempts sets how many wrong codes lock a vehicle.
func WithMaxAttempts(n int) Option { return func(s *Service) { s.maxAttempts = n } }

// WithClock replaces the wall clock.
func WithClock(c clock.Clock) Option { return func(s *Service) { s.clock = c } }

// NewService returns a Service with production defaults.
func NewService(store kvstore.Store, opts ...Option) *Service {
	s := &Service{
		store:       store,
		clock:       clock.System{},
		codeTTL:     3 * time.Minute,
		scanWindow:  20 * time.Second,
		maxAttempts: 5,
		lockout:     15 * time.Minute,
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

func sixDigits() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

func (s *Service) write(ctx context.Context, c Code, opt kvstore.PutOption) error {
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return s.store.Put(ctx, keys.UnlockKey{Vehicle: c.Vehicle, Code: c.Code}.String(), b, opt)
}

// Issue creates a code for rider to unlock vehicle.
func (s *Service) Issue(ctx context.Context, rider, vehicle string) (Code, error) {
	code, err := sixDigits()
	if err != nil {
		return Code{}, err
	}
	now := s.clock.Now()
	c := Code{Vehicle: vehicle, Code: code, Rider: rider, Issued: now}
	if err := s.write(ctx, c, kvstore.ExpiresAt(clock.ExpiryAfter(now, s.codeTTL))); err != nil {
		return Code{}, err
	}
	return c, nil
}

// Preview creates a code shown on the map while the rider walks to the
// vehicle; it is replaced by a real code once the rider is close.
func (s *Service) Preview(ctx context.Context, rider, vehicle string) (Code, error) {
	code, err := sixDigits()
	if err != nil {
		return Code{}, err
	}
	c := Code{Vehicle: vehicle, Code: code, Rider: rider, Issued: s.clock.Now(), Preview: true}
	if err := s.write(ctx, c, kvstore.TTL(30*time.Second)); err != nil { // EXPECT kvttl
		return Code{}, err
	}
	return c, nil
}

func holdKey(vehicle string) string { return "hold:" + vehicle }

// Hold reserves vehicle for rider while the app waits for the QR scan.
func (s *Service) Hold(ctx context.Context, rider, vehicle string) error {
	hold := max(2*s.scanWindow, 5*time.Second)
	return s.store.Put(ctx, holdKey(vehicle), []byte(rider), kvstore.TTL(hold)) // EXPECT kvttl
}

// HeldBy returns the rider holding vehicle, or "" when it is free.
func (s *Service) HeldBy(ctx context.Context, vehicle string) (string, error) {
	raw, err := s.store.Get(ctx, holdKey(vehicle))
	if errors.Is(err, kvstore.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return string(raw), nil
}

// Redeem checks code for vehicle and consumes it.
func (s *Service) Redeem(ctx context.Context, vehicle, code string) (Code, error) {
	if locked, err := s.Locked(ctx, vehicle); err != nil {
		return Code{}, err
	} else if locked {
		return Code{}, ErrLocked
	}
	key := keys.UnlockKey{Vehicle: vehicle, Code: code}.String()
	raw, err := s.store.Get(ctx, key)
	if errors.Is(err, kvstore.ErrNotFound) {
		if ferr := s.recordFailure(ctx, vehicle); ferr != nil {
			return Code{}, ferr
		}
		return Code{}, ErrBadCode
	}
	if err != nil {
		return Code{}, err
	}
	var c Code
	if err := json.Unmarshal(raw, &c); err != nil {
		return Code{}, err
	}
	if err := s.store.Delete(ctx, key); err != nil { // EXPECT kvsession
		return Code{}, err
	}
	return c, nil
}

func (s *Service) recordFailure(ctx context.Context, vehicle string) error {
	key := keys.UnlockAttemptsKey{Vehicle: vehicle}.String()
	n := 0
	raw, err := s.store.Get(ctx, key)
	if err == nil {
		n, _ = strconv.Atoi(string(raw))
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	return s.store.Put(ctx, key, []byte(strconv.Itoa(n+1)), kvstore.TTL(s.lockout)) // EXPECT kvcounter
}

// Locked reports whether vehicle has seen too many wrong codes.
func (s *Service) Locked(ctx context.Context, vehicle string) (bool, error) {
	raw, err := s.store.Get(ctx, keys.UnlockAttemptsKey{Vehicle: vehicle}.String())
	if errors.Is(err, kvstore.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	n, err := strconv.Atoi(string(raw))
	if err != nil {
		return false, err
	}
	return n >= s.maxAttempts, nil
}
