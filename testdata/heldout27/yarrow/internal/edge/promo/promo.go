// Package promo validates and redeems promo codes.
package promo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"example.com/yarrow/internal/domain"
	"example.com/yarrow/internal/storage"
)

// Errors returned to the checkout.
var (
	ErrUnknownCode = errors.New("promo: unknown code")
	ErrExpired     = errors.New("promo: code expired")
	ErrExhausted   = errors.New("promo: code fully redeemed")
	ErrAlreadyUsed = errors.New("promo: code already used by this customer")
)

// Clock tells the time.
type Clock interface{ Now() time.Time }

// Service manages promo codes.
type Service struct {
	store storage.Store
	clock Clock
}

// ProvideService is the constructor used by the wiring in cmd/edge.
func ProvideService(st storage.Store, c Clock) *Service {
	return &Service{store: st, clock: c}
}

// Create stores a promo definition; it disappears a day after it ends.
func (s *Service) Create(ctx context.Context, p domain.Promo) (domain.Code, error) {
	code, err := domain.ParseCode(p.Code)
	if err != nil {
		return code, err
	}
	if !p.ValidUntil.After(s.clock.Now().Add(time.Hour)) {
		return code, fmt.Errorf("promo %s: must stay valid for at least an hour", code.Text())
	}
	p.Code = code.Text()
	raw, err := json.Marshal(p)
	if err != nil {
		return code, err
	}
	return code, s.store.Put(ctx, code.Key(), raw, storage.WriteOptions{ExpiresAt: p.ValidUntil.Add(24 * time.Hour)})
}

// Lookup returns a valid promo.
func (s *Service) Lookup(ctx context.Context, code domain.Code) (domain.Promo, error) {
	var p domain.Promo
	raw, err := s.store.Get(ctx, code.Key())
	var nf *storage.NotFoundError
	if errors.As(err, &nf) {
		return p, fmt.Errorf("%w: %s", ErrUnknownCode, code.Text())
	}
	if err != nil {
		return p, err
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return p, fmt.Errorf("promo %s: %w", code.Text(), err)
	}
	if !s.clock.Now().Before(p.ValidUntil) {
		return p, fmt.Errorf("%w: %s", ErrExpired, code.Text())
	}
	return p, nil
}

// Redeem applies a code for a customer and returns the promo.
func (s *Service) Redeem(ctx context.Context, code domain.Code, customer domain.Email) (domain.Promo, error) {
	p, err := s.Lookup(ctx, code)
	if err != nil {
		return p, err
	}
	if p.SingleUse {
		if err := s.claim(ctx, code, customer); err != nil {
			return p, err
		}
	}
	if p.MaxUses > 0 {
		if err := s.countUse(ctx, code, p); err != nil {
			return p, err
		}
	}
	return p, nil
}

func (s *Service) claim(ctx context.Context, code domain.Code, customer domain.Email) error {
	key := code.ClaimKey(customer)
	_, err := s.store.Get(ctx, key)
	switch {
	case err == nil:
		return ErrAlreadyUsed
	case !storage.IsNotFound(err):
		return err
	}
	stamp := s.clock.Now().UTC().Format(time.RFC3339)
	return s.store.Put(ctx, key, []byte(stamp), storage.WriteOptions{TTL: 90 * 24 * time.Hour}) // EXPECT kvrace
}

func (s *Service) countUse(ctx context.Context, code domain.Code, p domain.Promo) error {
	key := code.RedemptionsKey()
	used := 0
	raw, err := s.store.Get(ctx, key)
	if err == nil {
		if used, err = strconv.Atoi(string(raw)); err != nil {
			return fmt.Errorf("promo %s: corrupt tally: %w", code.Text(), err)
		}
	} else if !storage.IsNotFound(err) {
		return err
	}
	if used >= p.MaxUses {
		return fmt.Errorf("%w: %s", ErrExhausted, code.Text())
	}
	next := strconv.AppendInt(nil, int64(used+1), 10)
	return s.store.Put(ctx, key, next, storage.WriteOptions{ExpiresAt: p.ValidUntil.Add(24 * time.Hour)}) // EXPECT kvcounter
}

// ActiveCodes lists every code currently defined, for the support console.
func (s *Service) ActiveCodes(ctx context.Context) ([]domain.Code, error) {
	var out []domain.Code
	cursor := ""
	for {
		page, err := s.store.List(ctx, storage.ListQuery{Prefix: "promo:", Cursor: cursor, Limit: 500}) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		if len(page.Keys) == 0 {
			break
		}
		for _, k := range page.Keys {
			if c, err := domain.ParseCode(strings.TrimPrefix(k, "promo:")); err == nil {
				out = append(out, c)
			}
		}
		cursor = page.Cursor
	}
	return out, nil
}
