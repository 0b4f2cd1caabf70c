// Package coupon defines, reserves and redeems discount codes.
package coupon

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"example.com/billing/internal/clock"
	"example.com/billing/internal/kvstore"
)

var (
	ErrExists    = errors.New("coupon: code already exists")
	ErrInvalid   = errors.New("coupon: invalid or expired code")
	ErrExhausted = errors.New("coupon: no redemptions left")
)

// Coupon is a discount definition.
type Coupon struct {
	Code           string    `json:"code"`
	Campaign       string    `json:"campaign"`
	PercentOff     int       `json:"percent_off,omitempty"`
	AmountOffCents int64     `json:"amount_off_cents,omitempty"`
	SingleUse      bool      `json:"single_use"`
	MaxRedemptions int       `json:"max_redemptions,omitempty"`
	ExpiresAt      time.Time `json:"expires_at,omitzero"`
}

func (c Coupon) discount(subtotal int64) int64 {
	if c.PercentOff > 0 {
		return subtotal * int64(c.PercentOff) / 100
	}
	return min(c.AmountOffCents, subtotal)
}

// Generated is a freshly minted code ready for a batch write.
type Generated struct {
	Key   string
	Value []byte
	TTL   time.Duration
}

// Service implements coupon workflows on a KV namespace.
type Service struct {
	kv    kvstore.KV
	clock clock.Clock

	// WriteBatch stores generated codes in one go.
	WriteBatch func(ctx context.Context, items []Generated) error
	// Scan visits every key under a prefix.
	Scan func(ctx context.Context, prefix string, fn func(kvstore.KeyInfo) error) error
}

// NewService wires the service.
func NewService(kv kvstore.KV, clk clock.Clock) *Service {
	return &Service{kv: kv, clock: clk}
}

func codeKey(code string) string { return "coupon:" + strings.ToUpper(code) }

func (s *Service) load(ctx context.Context, code string) (Coupon, error) {
	raw, err := s.kv.Get(ctx, codeKey(code))
	if kvstore.IsNotFound(err) {
		return Coupon{}, ErrInvalid
	}
	if err != nil {
		return Coupon{}, err
	}
	var c Coupon
	if err := json.Unmarshal(raw, &c); err != nil {
		return Coupon{}, err
	}
	if !c.ExpiresAt.IsZero() && s.clock.Now().After(c.ExpiresAt) {
		return Coupon{}, ErrInvalid
	}
	return c, nil
}

// Define creates a named coupon (marketing codes such as SPRING25).
func (s *Service) Define(ctx context.Context, c Coupon) error {
	c.Code = strings.ToUpper(c.Code)
	key := codeKey(c.Code)
	if _, err := s.kv.Get(ctx, key); err == nil {
		return ErrExists
	} else if !kvstore.IsNotFound(err) {
		return err
	}
	buf, err := json.Marshal(c)
	if err != nil {
		return err
	}
	var opts []kvstore.PutOption
	if !c.ExpiresAt.IsZero() {
		opts = append(opts, kvstore.ExpireAt(c.ExpiresAt.Add(24*time.Hour)))
	}
	return s.kv.Put(ctx, key, buf, opts...) // EXPECT kvrace
}

// Generate mints n single-use codes for a campaign.
func (s *Service) Generate(ctx context.Context, campaign string, n int, validFor time.Duration, percentOff int) ([]string, error) {
	if s.WriteBatch == nil {
		return nil, errors.New("coupon: batch writer not configured")
	}
	expires := s.clock.Now().Add(validFor).UTC()
	codes := make([]string, 0, n)
	items := make([]Generated, 0, n)
	for range n {
		code := strings.ToUpper(campaign) + "-" + strings.ToUpper(rand.Text()[:10])
		buf, err := json.Marshal(Coupon{Code: code, Campaign: campaign, PercentOff: percentOff, SingleUse: true, ExpiresAt: expires})
		if err != nil {
			return nil, err
		}
		codes = append(codes, code)
		items = append(items, Generated{Key: codeKey(code), Value: buf, TTL: validFor})
	}
	return codes, s.WriteBatch(ctx, items)
}

// Quote returns the discount code gives on subtotal without redeeming it.
func (s *Service) Quote(ctx context.Context, code string, subtotalCents int64) (int64, error) {
	c, err := s.load(ctx, code)
	if err != nil {
		return 0, err
	}
	return c.discount(subtotalCents), nil
}

// Reserve holds a code for a customer while checkout completes.
func (s *Service) Reserve(ctx context.Context, code, customerID string) error {
	if _, err := s.load(ctx, code); err != nil {
		return err
	}
	hold := fmt.Sprintf("coupon:hold:%s:%s", strings.ToUpper(code), customerID)
	return s.kv.Put(ctx, hold, []byte(customerID), kvstore.ExpireAt(s.clock.Now().Add(20*time.Second))) // EXPECT kvttl
}

// Redeem consumes code for customerID and returns the coupon.
func (s *Service) Redeem(ctx context.Context, code, customerID string) (Coupon, error) {
	c, err := s.load(ctx, code)
	if err != nil {
		return Coupon{}, err
	}
	if c.SingleUse {
		if err := s.kv.Delete(ctx, codeKey(c.Code)); err != nil { // EXPECT kvsession
			return Coupon{}, err
		}
	} else if c.MaxRedemptions > 0 {
		usesKey := "coupon:uses:" + c.Code
		used := 0
		if raw, err := s.kv.Get(ctx, usesKey); err == nil {
			used, _ = strconv.Atoi(string(raw))
		} else if !kvstore.IsNotFound(err) {
			return Coupon{}, err
		}
		if used >= c.MaxRedemptions {
			return Coupon{}, ErrExhausted
		}
		if err := s.kv.Put(ctx, usesKey, []byte(strconv.Itoa(used+1))); err != nil { // EXPECT kvcounter
			return Coupon{}, err
		}
	}
	rec, _ := json.Marshal(map[string]any{"code": c.Code, "customer": customerID, "at": s.clock.Now().UTC()})
	if err := s.kv.Put(ctx, "coupon:redeemed:"+c.Code+":"+customerID, rec, kvstore.WithTTL(400*24*time.Hour)); err != nil {
		return c, err
	}
	return c, nil
}

// ExpireCampaign removes every generated code of a campaign.
func (s *Service) ExpireCampaign(ctx context.Context, campaign string) (int, error) {
	if s.Scan == nil {
		return 0, errors.New("coupon: scanner not configured")
	}
	removed := 0
	err := s.Scan(ctx, codeKey(campaign)+"-", func(k kvstore.KeyInfo) error {
		removed++
		return s.kv.Delete(ctx, k.Name) // DEBATABLE kvsession
	})
	return removed, err
}
