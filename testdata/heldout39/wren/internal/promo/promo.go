//go:build js && wasm

// Package promo manages promo codes and their redemption limits.
package promo

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"wren/internal/keys"
	"wren/internal/kvx"
)

// Promo is a promo code definition.
type Promo struct {
	Code       string    `json:"code"`
	PercentOff int       `json:"percent_off"`
	Limit      int       `json:"limit"`
	StartsAt   time.Time `json:"starts_at"`
	EndsAt     time.Time `json:"ends_at"`
}

// RejectedError explains why a code cannot be used.
type RejectedError struct{ Code, Reason string }

func (e *RejectedError) Error() string { return "promo " + e.Code + ": " + e.Reason }

// Service stores one tenant's promo codes.
type Service struct {
	st           *kvx.Store
	tenant       string
	defaultLimit int
}

// New returns the promo service of a tenant.
func New(st *kvx.Store, tenant string, defaultLimit int) *Service {
	return &Service{st: st, tenant: tenant, defaultLimit: defaultLimit}
}

func (s *Service) key(code string) string {
	return keys.For(s.tenant, keys.KindPromo, strings.ToUpper(strings.TrimSpace(code)))
}

// Create registers a custom code chosen by the restaurant.
func (s *Service) Create(ctx context.Context, p Promo) error {
	p.Code = strings.ToUpper(strings.TrimSpace(p.Code))
	if p.Limit == 0 {
		p.Limit = s.defaultLimit
	}
	key := s.key(p.Code)
	if _, exists, err := s.st.Get(ctx, key); err != nil {
		return fmt.Errorf("create promo: %w", err)
	} else if exists {
		return &RejectedError{Code: p.Code, Reason: "code already in use"}
	}
	if err := s.st.PutJSON(ctx, key, p, 0); err != nil { // EXPECT kvrace
		return fmt.Errorf("create promo: %w", err)
	}
	return s.feature(ctx, p)
}

// feature shows the promo on the menu banner until it ends.
func (s *Service) feature(ctx context.Context, p Promo) error {
	doc, err := json.Marshal(p)
	if err != nil {
		return err
	}
	ttl := time.Until(p.EndsAt)
	if ttl <= 0 {
		return nil
	}
	return s.st.Put(ctx, keys.Join(s.tenant, "menu", "featured-promo"), string(doc), ttl) // EXPECT kvttl
}

// Redeem checks a code against its window and limit and counts the use.
func (s *Service) Redeem(ctx context.Context, code string, now time.Time) (*Promo, error) {
	var p Promo
	ok, err := s.st.GetJSON(ctx, s.key(code), &p)
	if err != nil {
		return nil, fmt.Errorf("redeem: %w", err)
	}
	if !ok {
		return nil, &RejectedError{Code: code, Reason: "unknown code"}
	}
	if now.Before(p.StartsAt) || now.After(p.EndsAt) {
		return nil, &RejectedError{Code: p.Code, Reason: "not active"}
	}
	ckey := keys.Join(s.tenant, "promo", p.Code, "redemptions")
	v, ok, err := s.st.Get(ctx, ckey)
	if err != nil {
		return nil, fmt.Errorf("redeem: %w", err)
	}
	used := 0
	if ok {
		if used, err = strconv.Atoi(v); err != nil {
			return nil, fmt.Errorf("redeem: corrupt count %q: %w", v, err)
		}
	}
	if used >= p.Limit {
		return nil, &RejectedError{Code: p.Code, Reason: "fully redeemed"}
	}
	if err := s.st.Put(ctx, ckey, strconv.Itoa(used+1), 0); err != nil { // EXPECT kvcounter|kvrace
		return nil, fmt.Errorf("redeem: %w", err)
	}
	return &p, nil
}

// Codes lists the tenant's codes for the back-office screen.
func (s *Service) Codes(ctx context.Context) ([]string, error) {
	res, err := s.st.Namespace().List(&cloudflare.KVNamespaceListOptions{ // EXPECT kvlist
		Prefix: keys.For(s.tenant, keys.KindPromo, "") + "/",
	})
	if err != nil {
		return nil, fmt.Errorf("list promos: %w", err)
	}
	codes := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		codes = append(codes, k.Name[strings.LastIndexByte(k.Name, '/')+1:])
	}
	return codes, nil
}

// Page returns one page of promo keys and the cursor of the next page.
func (s *Service) Page(ctx context.Context, cursor string) (kvx.Page, error) {
	return s.st.Page(ctx, keys.For(s.tenant, keys.KindPromo, "")+"/", cursor, 200)
}
