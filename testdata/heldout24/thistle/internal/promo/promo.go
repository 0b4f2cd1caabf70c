// Package promo validates and redeems promotion codes.
package promo

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"example.com/thistle/internal/clock"
	"example.com/thistle/internal/config"
	"example.com/thistle/internal/keys"
	"example.com/thistle/internal/repo"
	"example.com/thistle/internal/store"
)

var (
	// ErrInvalid means the code does not exist or has ended.
	ErrInvalid = errors.New("promo: invalid code")
	// ErrExhausted means the code has reached its redemption cap.
	ErrExhausted = errors.New("promo: code exhausted")
)

// Kind classifies promotions.
type Kind string

const (
	KindPercent  Kind = "percent"
	KindFreeBox  Kind = "free_box"
	KindShipping Kind = "shipping"
)

// Code is a promotion.
type Code struct {
	Code      string    `json:"code"`
	Kind      Kind      `json:"kind"`
	Percent   int       `json:"percent,omitempty"`
	MaxUses   int       `json:"max_uses"`
	StartsAt  time.Time `json:"starts_at"`
	EndsAt    time.Time `json:"ends_at"`
	NewOnly   bool      `json:"new_only"`
	CreatedBy string    `json:"created_by"`
}

// Quote is a priced preview of a code applied to a basket.
type Quote struct {
	Code          string `json:"code"`
	DiscountCents int    `json:"discount_cents"`
}

// Personal is a single-use code issued to one customer, e.g. a win-back
// offer.
type Personal struct {
	CustomerID string `json:"customer_id"`
	Code       string `json:"code"`
	Percent    int    `json:"percent"`
}

var (
	codeKey     = keys.New[Code]("promo")
	usesKey     = keys.New[int]("promo-uses")
	quoteKey    = keys.New[Quote]("promo-quote")
	personalKey = keys.New[Personal]("promo-otp")
)

// Service validates and redeems codes.
type Service struct {
	s        store.Store
	clock    clock.Clock
	codes    *repo.Repo[Code]
	uses     *repo.Repo[int]
	quotes   *repo.Repo[Quote]
	personal *repo.Repo[Personal]
}

// New builds a Service.
func New(s store.Store, c clock.Clock, cfg config.Config) *Service {
	return &Service{
		s:        s,
		clock:    c,
		codes:    repo.New(s, codeKey, repo.WithClock(c)),
		uses:     repo.New(s, usesKey),
		quotes:   repo.New(s, quoteKey, repo.WithTTL(20*time.Second)), // EXPECT kvttl
		personal: repo.New(s, personalKey, repo.WithExpiry(func(now time.Time) time.Time { return now.AddDate(0, 1, 0) })),
	}
}

func normalise(code string) string { return strings.ToUpper(strings.TrimSpace(code)) }

// Create stores a new code; it expires on its own when the promotion ends.
func (s *Service) Create(ctx context.Context, c Code) error {
	c.Code = normalise(c.Code)
	if !c.EndsAt.After(s.clock.Now().Add(time.Hour)) {
		return errors.New("promo: promotion must run for at least an hour")
	}
	return store.SaveUntil(ctx, s.s, keyedCode(c), c.EndsAt)
}

type keyedCode Code

func (k keyedCode) StorageKey() string { return codeKey.For(k.Code) }

// Validate checks a code without redeeming it.
func (s *Service) Validate(ctx context.Context, code string) (Code, error) {
	c, ok, err := s.codes.Find(ctx, normalise(code))
	if err != nil {
		return Code{}, err
	}
	now := s.clock.Now()
	if !ok || now.Before(c.StartsAt) || !now.Before(c.EndsAt) {
		return Code{}, ErrInvalid
	}
	return c, nil
}

// Quote prices a code against a basket total and caches the result briefly
// so the checkout page can re-render without recomputing.
func (s *Service) Quote(ctx context.Context, code string, basketCents int) (Quote, error) {
	c, err := s.Validate(ctx, code)
	if err != nil {
		return Quote{}, err
	}
	q := Quote{Code: c.Code}
	switch c.Kind {
	case KindPercent:
		q.DiscountCents = basketCents * c.Percent / 100
	case KindFreeBox:
		q.DiscountCents = basketCents
	case KindShipping:
		q.DiscountCents = 499
	}
	return q, s.quotes.Put(ctx, c.Code+"/"+strconv.Itoa(basketCents), q)
}

// Redeem records one use of a code.
func (s *Service) Redeem(ctx context.Context, code string) error {
	c, err := s.Validate(ctx, code)
	if err != nil {
		return err
	}
	n, _, err := s.uses.Find(ctx, c.Code)
	if err != nil {
		return err
	}
	if c.MaxUses > 0 && n >= c.MaxUses {
		return ErrExhausted
	}
	return s.uses.Put(ctx, c.Code, n+1) // EXPECT kvcounter
}

// IssuePersonal creates a single-use code for a customer.
func (s *Service) IssuePersonal(ctx context.Context, p Personal) error {
	p.Code = normalise(p.Code)
	return s.personal.Put(ctx, p.CustomerID+"/"+p.Code, p)
}

// UsePersonal consumes a customer's single-use code.
func (s *Service) UsePersonal(ctx context.Context, customerID, code string) (Personal, error) {
	id := customerID + "/" + normalise(code)
	p, ok, err := s.personal.Find(ctx, id)
	if err != nil {
		return Personal{}, err
	}
	if !ok {
		return Personal{}, ErrInvalid
	}
	if err := s.personal.Delete(ctx, id); err != nil { // EXPECT kvsession
		return Personal{}, err
	}
	return p, nil
}

// All returns every promotion code.
func (s *Service) All(ctx context.Context) ([]string, error) {
	var out []string
	cursor := ""
	for {
		ids, next, err := s.codes.IDs(ctx, cursor) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		if len(ids) == 0 {
			break
		}
		out = append(out, ids...)
		if next == "" {
			break
		}
		cursor = next
	}
	return out, nil
}

// Recent returns up to max codes, following the cursor while it lasts.
func (s *Service) Recent(ctx context.Context, max int) ([]string, error) {
	var out []string
	cursor := ""
	for len(out) < max {
		ids, next, err := s.codes.IDs(ctx, cursor)
		if err != nil {
			return nil, err
		}
		out = append(out, ids...)
		if next == "" {
			break
		}
		cursor = next
	}
	if len(out) > max {
		out = out[:max]
	}
	return out, nil
}
