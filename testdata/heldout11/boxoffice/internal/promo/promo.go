// Package promo manages promo codes: organisers create them per event,
// buyers redeem them at checkout.
package promo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"example.com/boxoffice/internal/kvkey"
	"example.com/boxoffice/internal/storage"
)

var (
	// ErrExists is returned when the code is already defined for the event.
	ErrExists = errors.New("promo: code already exists")
	// ErrUnknown is returned for codes that do not exist or have expired.
	ErrUnknown = errors.New("promo: unknown code")
	// ErrExhausted is returned when the code has no uses left.
	ErrExhausted = errors.New("promo: code has been used up")
)

// InvalidCodeError explains why a code was rejected at creation.
type InvalidCodeError struct {
	Code   string
	Reason string
}

func (e *InvalidCodeError) Error() string { return fmt.Sprintf("promo: code %q: %s", e.Code, e.Reason) }

// Promo is a promo code definition.
type Promo struct {
	Code       string    `json:"code"`
	EventID    string    `json:"event_id"`
	PercentOff int       `json:"percent_off"`
	MaxUses    int       `json:"max_uses"`
	ValidUntil time.Time `json:"valid_until"`
	CreatedBy  string    `json:"created_by"`
}

var codePattern = regexp.MustCompile(`^[A-Z0-9-]{4,24}$`)

// Service manages promo codes.
type Service struct {
	store storage.Store
	now   func() time.Time
}

// New returns a Service.
func New(s storage.Store) *Service { return &Service{store: s, now: time.Now} }

// Validate checks a definition before it is stored.
func Validate(p Promo, now time.Time) error {
	code := strings.ToUpper(p.Code)
	switch {
	case !codePattern.MatchString(code):
		return &InvalidCodeError{Code: p.Code, Reason: "use 4-24 letters, digits or dashes"}
	case p.PercentOff <= 0 || p.PercentOff > 100:
		return &InvalidCodeError{Code: p.Code, Reason: "percent off must be 1-100"}
	case !p.ValidUntil.After(now):
		return &InvalidCodeError{Code: p.Code, Reason: "already expired"}
	}
	return nil
}

// Create defines a new code for an event.
func (s *Service) Create(ctx context.Context, p Promo) error {
	if err := Validate(p, s.now()); err != nil {
		return err
	}
	p.Code = strings.ToUpper(p.Code)
	key := kvkey.Promo(p.EventID, p.Code).String()
	exists, err := storage.Exists(ctx, s.store, key)
	if err != nil {
		return err
	}
	if exists {
		return ErrExists
	}
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	// Keep the definition a day past its end so late redemptions get a clear error.
	ttl := max(time.Until(p.ValidUntil)+24*time.Hour, time.Minute)
	return s.store.Put(ctx, key, b, storage.WithTTL(ttl)) // EXPECT kvrace
}

// Lookup returns a code's definition.
func (s *Service) Lookup(ctx context.Context, eventID, code string) (Promo, error) {
	b, err := s.store.Get(ctx, kvkey.Promo(eventID, code).String())
	if errors.Is(err, storage.ErrNotFound) {
		return Promo{}, ErrUnknown
	}
	if err != nil {
		return Promo{}, err
	}
	var p Promo
	if err := json.Unmarshal(b, &p); err != nil {
		return Promo{}, err
	}
	return p, nil
}

// Redeem uses up one redemption of code and returns the discount.
func (s *Service) Redeem(ctx context.Context, eventID, code string) (int, error) {
	p, err := s.Lookup(ctx, eventID, code)
	if err != nil {
		return 0, err
	}
	if s.now().After(p.ValidUntil) {
		return 0, ErrUnknown
	}
	countKey := kvkey.PromoRedemptions(eventID, code).String()
	used, err := s.uses(ctx, countKey)
	if err != nil {
		return 0, err
	}
	if p.MaxUses > 0 && used >= p.MaxUses {
		return 0, ErrExhausted
	}
	if err := s.store.Put(ctx, countKey, []byte(strconv.Itoa(used+1))); err != nil { // EXPECT kvcounter
		return 0, err
	}
	return p.PercentOff, nil
}

func (s *Service) uses(ctx context.Context, key string) (int, error) {
	b, err := s.store.Get(ctx, key)
	if errors.Is(err, storage.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(b))
}

// Codes lists the codes defined for an event, for the organiser dashboard.
func (s *Service) Codes(ctx context.Context, eventID string) ([]string, error) {
	prefix := kvkey.Promos.Child(eventID).Prefix()
	p, err := s.store.List(ctx, storage.ListOptions{Prefix: prefix}) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	codes := make([]string, 0, len(p.Keys))
	for _, k := range p.Keys {
		codes = append(codes, strings.TrimPrefix(k.Name, prefix))
	}
	return codes, nil
}
