// Package promo validates and redeems promo codes at checkout and seeds
// pools of single-use partner codes.
package promo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/bramble/internal/ids"
	"example.com/bramble/internal/platform/cfclient"
	"example.com/bramble/internal/platform/kvstore"
	"example.com/bramble/internal/platform/typed"
)

var (
	ErrUnknownCode = errors.New("promo: unknown code")
	ErrExpired     = errors.New("promo: campaign has ended")
	ErrAlreadyUsed = errors.New("promo: already used by this customer")
	ErrExhausted   = errors.New("promo: no redemptions left")
	ErrBelowMin    = errors.New("promo: order below minimum")
)

// Campaign defines a promo code.
type Campaign struct {
	Code          ids.PromoCode `json:"code"`
	PercentOff    int           `json:"percent_off,omitempty"`
	AmountOffCent int64         `json:"amount_off_cents,omitempty"`
	MinOrderCent  int64         `json:"min_order_cents"`
	MaxUses       int64         `json:"max_uses"`
	StartsAt      time.Time     `json:"starts_at"`
	EndsAt        time.Time     `json:"ends_at"`
}

// Discount computes the discount for an order total.
func (c Campaign) Discount(totalCents int64) int64 {
	switch {
	case c.AmountOffCent > 0:
		return min(c.AmountOffCent, totalCents)
	case c.PercentOff > 0:
		return totalCents * int64(c.PercentOff) / 100
	default:
		return 0
	}
}

// Redemption is stored once a customer has used a code.
type Redemption struct {
	Order    ids.OrderID `json:"order"`
	Discount int64       `json:"discount_cents"`
	At       time.Time   `json:"at"`
}

// Service redeems codes.
type Service struct {
	kv        kvstore.Store
	ns        cfclient.Namespace
	campaigns typed.Store[ids.PromoCode, Campaign]
	redeemed  typed.Store[string, Redemption]
	now       func() time.Time
}

// New wires the promo service. ns must name the same namespace as kv; it
// is used for the bulk endpoints the port does not offer.
func New(store kvstore.Store, ns cfclient.Namespace) *Service {
	return &Service{
		kv:        store,
		ns:        ns,
		campaigns: typed.New[ids.PromoCode, Campaign](store, "promo:campaign:"),
		redeemed:  typed.New[string, Redemption](store, "promo:redeemed:"),
		now:       time.Now,
	}
}

func redemptionKey(code ids.PromoCode, c ids.CustomerID) string {
	return string(code) + ":" + string(c)
}

func usesKey(code ids.PromoCode) string { return "promo:uses:" + string(code) }

// Quote returns the discount a code would give without redeeming it.
func (s *Service) Quote(ctx context.Context, code ids.PromoCode, totalCents int64) (Campaign, int64, error) {
	c, found, err := s.campaigns.Lookup(ctx, code)
	if err != nil {
		return Campaign{}, 0, err
	}
	if !found {
		return Campaign{}, 0, ErrUnknownCode
	}
	now := s.now()
	switch {
	case now.Before(c.StartsAt), now.After(c.EndsAt):
		return c, 0, ErrExpired
	case totalCents < c.MinOrderCent:
		return c, 0, ErrBelowMin
	}
	return c, c.Discount(totalCents), nil
}

// Redeem applies a code to an order.
func (s *Service) Redeem(ctx context.Context, code ids.PromoCode, customer ids.CustomerID, order ids.OrderID, totalCents int64) (int64, error) {
	c, discount, err := s.Quote(ctx, code, totalCents)
	if err != nil {
		return 0, err
	}
	rkey := redemptionKey(code, customer)
	if _, used, err := s.redeemed.Lookup(ctx, rkey); err != nil {
		return 0, err
	} else if used {
		return 0, ErrAlreadyUsed
	}
	if err := s.consumeUse(ctx, c); err != nil {
		return 0, err
	}
	ttl := max(time.Until(c.EndsAt)+30*24*time.Hour, 24*time.Hour)
	rec := Redemption{Order: order, Discount: discount, At: s.now().UTC()}
	if err := s.redeemed.Put(ctx, rkey, rec, kvstore.WithTTL(ttl)); err != nil { // EXPECT kvrace
		return 0, err
	}
	return discount, nil
}

func (s *Service) consumeUse(ctx context.Context, c Campaign) error {
	var used int64
	raw, err := s.kv.Get(ctx, usesKey(c.Code))
	if err != nil && !kvstore.IsNotFound(err) {
		return err
	}
	if err == nil {
		if used, err = strconv.ParseInt(string(raw), 10, 64); err != nil {
			return fmt.Errorf("uses of %s: %w", c.Code, err)
		}
	}
	if c.MaxUses > 0 && used >= c.MaxUses {
		return ErrExhausted
	}
	return s.kv.Put(ctx, usesKey(c.Code), strconv.AppendInt(nil, used+1, 10)) // EXPECT kvcounter
}

// EndCampaign removes the per-customer redemption records of a finished
// campaign so the code can be reissued next season.
func (s *Service) EndCampaign(ctx context.Context, code ids.PromoCode) (int, error) {
	page, err := s.kv.List(ctx, kvstore.Keys("promo:redeemed:"+string(code)+":")) // EXPECT kvlist
	if err != nil {
		return 0, err
	}
	var errs []error
	for _, name := range page.Names() {
		errs = append(errs, s.kv.Delete(ctx, name))
	}
	return len(page.Keys), errors.Join(errs...)
}

// poolSize is the number of single-use codes printed on partner flyers.
const poolSize = 12_000

// SeedPartnerPool writes a pool of single-use codes for a partner campaign
// in one bulk request.
func (s *Service) SeedPartnerPool(ctx context.Context, partner ids.PartnerID, base Campaign) ([]ids.PromoCode, error) {
	codes := make([]ids.PromoCode, 0, poolSize)
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, poolSize)
	for range poolSize {
		c := base
		c.Code = ids.PromoCode(strings.ToUpper(fmt.Sprintf("%.4s%s", partner, ids.RandomToken(5))))
		c.MaxUses = 1
		raw, err := json.Marshal(c)
		if err != nil {
			return nil, err
		}
		codes = append(codes, c.Code)
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:        cloudflare.F("promo:campaign:" + string(c.Code)),
			Value:      cloudflare.F(string(raw)),
			Expiration: cloudflare.F(float64(base.EndsAt.Add(24 * time.Hour).Unix())),
		})
	}
	res, err := s.ns.KV.BulkUpdate(ctx, s.ns.ID, kv.NamespaceBulkUpdateParams{ // EXPECT kvlimits
		AccountID: cloudflare.F(s.ns.AccountID),
		Body:      body,
	})
	if err != nil {
		return nil, fmt.Errorf("seed pool: %w", err)
	}
	if n := len(res.UnsuccessfulKeys); n > 0 {
		return codes, fmt.Errorf("seed pool: %d codes not written", n)
	}
	return codes, nil
}

// Campaigns returns one page of campaign codes and the cursor for the next.
func (s *Service) Campaigns(ctx context.Context, cursor string) ([]ids.PromoCode, string, error) {
	return s.campaigns.Page(ctx, "", cursor, 200)
}
