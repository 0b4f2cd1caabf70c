// Package discount manages promo codes: creation by the marketing team,
// redemption at checkout, and a guard against code enumeration.
package discount

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"example.com/commerce/internal/config"
	"example.com/commerce/internal/core/ports"
	"example.com/commerce/internal/platform"
	"example.com/commerce/internal/platform/kvjson"
)

var (
	ErrCodeTaken   = errors.New("discount: code already exists")
	ErrUnknownCode = errors.New("discount: unknown code")
	ErrExhausted   = errors.New("discount: redemption limit reached")
	ErrAlreadyUsed = errors.New("discount: already used by this customer")
	ErrSlowDown    = errors.New("discount: too many attempts")
)

type Code struct {
	Code           string    `json:"code"`
	PercentOff     int       `json:"percent_off"`
	MaxRedemptions int       `json:"max_redemptions"`
	Redeemed       int       `json:"redeemed"`
	EndsAt         time.Time `json:"ends_at"`
}

type Service struct {
	kv    ports.ReadWriter
	cfg   config.DiscountConfig
	clock platform.Clock
}

func NewService(kv ports.ReadWriter, cfg config.DiscountConfig, clock platform.Clock) *Service {
	return &Service{kv: kv, cfg: cfg, clock: clock}
}

func codeKey(code string) string { return "discount:" + strings.ToUpper(code) }

// Create registers a new code; codes are unique.
func (s *Service) Create(ctx context.Context, c Code) error {
	c.Code = strings.ToUpper(c.Code)
	if _, ok, err := kvjson.Get[Code](ctx, s.kv, codeKey(c.Code)); err != nil {
		return err
	} else if ok {
		return ErrCodeTaken
	}
	c.Redeemed = 0
	return kvjson.Put(ctx, s.kv, codeKey(c.Code), c) // EXPECT kvrace
}

// Lookup returns the code without consuming it, for the "apply code" preview.
func (s *Service) Lookup(ctx context.Context, code string) (Code, error) {
	c, ok, err := kvjson.Get[Code](ctx, s.kv, codeKey(code))
	if err != nil {
		return Code{}, err
	}
	if !ok || s.clock.Now().After(c.EndsAt) {
		return Code{}, ErrUnknownCode
	}
	return c, nil
}

// Redeem consumes one use of code for userID.
func (s *Service) Redeem(ctx context.Context, code, userID string) (Code, error) {
	used := "discount:used:" + strings.ToUpper(code) + ":" + userID
	if _, err := s.kv.Get(ctx, used); err == nil {
		return Code{}, ErrAlreadyUsed
	} else if !errors.Is(err, ports.ErrNotFound) {
		return Code{}, err
	}
	c, err := s.Lookup(ctx, code)
	if err != nil {
		return Code{}, err
	}
	if c.MaxRedemptions > 0 && c.Redeemed >= c.MaxRedemptions {
		return Code{}, ErrExhausted
	}
	c.Redeemed++
	if err := kvjson.Put(ctx, s.kv, codeKey(c.Code), c); err != nil { // EXPECT kvcounter
		return Code{}, err
	}
	stamp := strconv.FormatInt(s.clock.Now().Unix(), 10)
	return c, s.kv.Put(ctx, used, []byte(stamp), ports.WithTTL(s.cfg.UsedMarkerTTL)) // EXPECT kvrace
}

// Guard throttles code guesses per client IP.
func (s *Service) Guard(ctx context.Context, ip string) error {
	key := "discount:attempts:" + ip
	n := 0
	if raw, err := s.kv.Get(ctx, key); err == nil {
		n, _ = strconv.Atoi(string(raw))
	}
	if n >= s.cfg.MaxAttempts {
		return ErrSlowDown
	}
	return s.kv.Put(ctx, key, []byte(strconv.Itoa(n+1)), ports.WithTTL(10*time.Minute)) // EXPECT kvcounter
}

// Retire pulls a code early. Reporting reads redemptions from the order
// database, so the edge copy can simply go.
func (s *Service) Retire(ctx context.Context, code string) error {
	return s.kv.Delete(ctx, codeKey(code))
}

func (s *Service) Routes(mux *http.ServeMux, userOf func(*http.Request) string) {
	mux.Handle("POST /admin/discounts", platform.Do(func(r *http.Request, c Code) error {
		if c.Code == "" {
			return errors.New("discount: code required")
		}
		return s.Create(r.Context(), c)
	}))
	mux.Handle("POST /discounts/{code}/redeem", platform.Endpoint(func(r *http.Request, _ platform.Empty) (Code, error) {
		if err := s.Guard(r.Context(), r.RemoteAddr); err != nil {
			return Code{}, err
		}
		return s.Redeem(r.Context(), r.PathValue("code"), userOf(r))
	}))
	mux.Handle("DELETE /admin/discounts/{code}", platform.Do(func(r *http.Request, _ platform.Empty) error {
		return s.Retire(r.Context(), r.PathValue("code"))
	}))
}
