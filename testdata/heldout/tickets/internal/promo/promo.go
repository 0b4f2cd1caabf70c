// Package promo manages organiser discount codes.
package promo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"example.com/tickets/internal/domain"
)

var (
	ErrUnknownCode = errors.New("promo: unknown code")
	ErrCodeTaken   = errors.New("promo: code already exists")
	ErrExpired     = errors.New("promo: code has expired")
	ErrExhausted   = errors.New("promo: code has no uses left")
)

// Store is what promo needs from storage: plain reads and writes plus
// edge-cached reads for the definitions, which change rarely.
type Store interface {
	domain.Store
	domain.CachedReader
}

type Option func(*Service)

// WithDefinitionCache sets how stale a code definition may be when served.
func WithDefinitionCache(d time.Duration) Option {
	return func(s *Service) { s.defCache = d }
}

type Service struct {
	store    Store
	defCache time.Duration
	log      *slog.Logger
	now      func() time.Time
}

func NewService(store Store, log *slog.Logger, opts ...Option) *Service {
	s := &Service{store: store, defCache: time.Minute, log: log, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	return s
}

func normalize(code string) string { return strings.ToUpper(strings.TrimSpace(code)) }

func defKey(code string) string  { return "promo:" + normalize(code) }
func usesKey(code string) string { return "promo-uses:" + normalize(code) }

func (s *Service) decode(raw []byte, err error) (*domain.Promo, error) {
	if errors.Is(err, domain.ErrNotFound) {
		return nil, ErrUnknownCode
	}
	if err != nil {
		return nil, err
	}
	var p domain.Promo
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("promo: decode: %w", err)
	}
	return &p, nil
}

// Lookup returns a code definition for checkout.
func (s *Service) Lookup(ctx context.Context, code string) (*domain.Promo, error) {
	return s.decode(s.store.GetCached(ctx, defKey(code), s.defCache))
}

// Preview is used by the basket page while the customer types; organisers
// complained that edits took too long to show up, so keep the cache short.
func (s *Service) Preview(ctx context.Context, code string) (*domain.Promo, error) {
	return s.decode(s.store.GetCached(ctx, defKey(code), 10*time.Second)) // EXPECT kvttl
}

// RemainingUses is shown on the organiser dashboard.
func (s *Service) RemainingUses(ctx context.Context, code string) (int, error) {
	p, err := s.Lookup(ctx, code)
	if err != nil {
		return 0, err
	}
	raw, err := s.store.GetCached(ctx, usesKey(code), 30*time.Second)
	if errors.Is(err, domain.ErrNotFound) {
		return p.MaxUses, nil
	}
	if err != nil {
		return 0, err
	}
	used, _ := strconv.Atoi(string(raw))
	return max(p.MaxUses-used, 0), nil
}

// Create registers a new code for an organiser.
func (s *Service) Create(ctx context.Context, p domain.Promo) (*domain.Promo, error) {
	p.Code = normalize(p.Code)
	if p.Code == "" || p.PercentOff <= 0 || p.PercentOff > 100 {
		return nil, errors.New("promo: invalid definition")
	}
	if _, err := s.store.Get(ctx, defKey(p.Code)); err == nil {
		return nil, ErrCodeTaken
	} else if !errors.Is(err, domain.ErrNotFound) {
		return nil, err
	}
	p.CreatedAt = s.now().UTC()
	b, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	if err := s.store.Set(ctx, defKey(p.Code), b, 0); err != nil { // EXPECT kvrace
		return nil, err
	}
	return &p, nil
}

type redemption struct {
	Code    string    `json:"code"`
	OrderID string    `json:"order_id"`
	At      time.Time `json:"at"`
}

// Redeem applies a code to an order and returns the discount in percent.
func (s *Service) Redeem(ctx context.Context, code, orderID string) (int, error) {
	p, err := s.Lookup(ctx, code)
	if err != nil {
		return 0, err
	}
	now := s.now().UTC()
	if !p.ValidUntil.IsZero() && now.After(p.ValidUntil) {
		return 0, ErrExpired
	}

	used := 0
	raw, err := s.store.Get(ctx, usesKey(code))
	switch {
	case err == nil:
		used, err = strconv.Atoi(string(raw))
		if err != nil {
			return 0, fmt.Errorf("promo: uses for %s: %w", p.Code, err)
		}
	case !errors.Is(err, domain.ErrNotFound):
		return 0, err
	}
	if p.MaxUses > 0 && used >= p.MaxUses {
		return 0, ErrExhausted
	}

	rec, _ := json.Marshal(redemption{Code: p.Code, OrderID: orderID, At: now})
	if err := s.store.Set(ctx, "promo-redemption:"+p.Code+":"+orderID, rec, 90*24*time.Hour); err != nil {
		return 0, err
	}
	if err := s.store.Set(ctx, usesKey(code), []byte(strconv.Itoa(used+1)), 0); err != nil { // EXPECT kvcounter
		return 0, err
	}
	s.log.InfoContext(ctx, "promo redeemed", "code", p.Code, "order", orderID)
	return p.PercentOff, nil
}
