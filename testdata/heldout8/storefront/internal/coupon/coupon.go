// Package coupon validates and redeems promotion codes. Rules come from the
// promotions database; KV holds the edge copy of the rules, per-code usage,
// and affiliate vanity-code claims.
package coupon

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"example.com/storefront/internal/kvstore"
	"example.com/storefront/internal/repo"
)

var (
	ErrUnknown   = errors.New("coupon: unknown code")
	ErrExhausted = errors.New("coupon: no redemptions left")
	ErrExpired   = errors.New("coupon: expired")
	ErrTaken     = errors.New("coupon: code already claimed")
)

// Rules is the promotion definition.
type Rules struct {
	Code       string    `json:"code"`
	PercentOff int       `json:"percent_off"`
	MaxUses    int       `json:"max_uses"`
	EndsAt     time.Time `json:"ends_at"`
}

// DB is the promotions database.
type DB interface {
	Rules(ctx context.Context, code string) (Rules, error)
}

type usage struct {
	Redeemed  int    `json:"redeemed"`
	Max       int    `json:"max"`
	LastOrder string `json:"last_order,omitempty"`
}

// Service implements coupon validation and redemption.
type Service struct {
	store kvstore.Store
	db    DB
	now   func() time.Time
}

// New returns a coupon service.
func New(store kvstore.Store, db DB) *Service {
	return &Service{store: store, db: db, now: time.Now}
}

func canon(code string) string { return strings.ToUpper(strings.TrimSpace(code)) }

// Rules returns the promotion rules, served from KV when warm.
func (s *Service) Rules(ctx context.Context, code string) (Rules, error) {
	key := "couponrules:" + canon(code)
	r, err := repo.GetJSON[Rules](ctx, s.store, key)
	if err == nil {
		return r, nil
	}
	if !errors.Is(err, kvstore.ErrNotFound) {
		return Rules{}, err
	}
	r, err = s.db.Rules(ctx, canon(code))
	if err != nil {
		return Rules{}, err
	}
	return r, repo.PutJSON(ctx, s.store, key, r, kvstore.WithTTL(time.Hour))
}

// Redeem consumes one use of code for orderID.
func (s *Service) Redeem(ctx context.Context, code, orderID string) error {
	rules, err := s.Rules(ctx, code)
	if err != nil {
		return err
	}
	if !rules.EndsAt.IsZero() && s.now().After(rules.EndsAt) {
		return ErrExpired
	}
	key := "coupon:" + canon(code)
	u, err := repo.GetJSON[usage](ctx, s.store, key)
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
		u = usage{Max: rules.MaxUses}
	case err != nil:
		return err
	}
	if u.Max > 0 && u.Redeemed >= u.Max {
		return ErrExhausted
	}
	u.Redeemed++
	u.LastOrder = orderID
	if err := repo.PutJSON(ctx, s.store, key, u); err != nil { // EXPECT kvcounter|kvrace
		return err
	}
	audit := fmt.Sprintf("coupon_use:%s:%s", canon(code), orderID)
	return s.store.Put(ctx, audit, []byte(s.now().UTC().Format(time.RFC3339)), kvstore.WithTTL(90*24*time.Hour))
}

type claim struct {
	Affiliate string    `json:"affiliate"`
	ClaimedAt time.Time `json:"claimed_at"`
}

// Claim reserves a vanity code for an affiliate.
func (s *Service) Claim(ctx context.Context, code, affiliate string) error {
	key := "couponclaim:" + canon(code)
	if _, err := s.store.Get(ctx, key); err == nil {
		return ErrTaken
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	b, _ := json.Marshal(claim{Affiliate: affiliate, ClaimedAt: s.now().UTC()})
	return s.store.Put(ctx, key, b, kvstore.WithMetadata(map[string]any{"affiliate": affiliate})) // EXPECT kvrace
}

// ExportClaims writes code,affiliate rows for the partner team's monthly
// payout spreadsheet.
func (s *Service) ExportClaims(ctx context.Context, w io.Writer) error {
	page, err := s.store.List(ctx, "couponclaim:", "", 1000) // EXPECT kvlist
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"code", "affiliate"})
	for _, k := range page.Keys {
		aff, _ := k.Metadata["affiliate"].(string)
		if err := cw.Write([]string{strings.TrimPrefix(k.Name, "couponclaim:"), aff}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
