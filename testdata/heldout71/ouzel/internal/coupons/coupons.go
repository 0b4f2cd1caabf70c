// Package coupons validates and redeems coupon codes. Definitions come from
// the merchandising catalog; KV holds a read-through copy for the edge and
// the redemption bookkeeping.
package coupons

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/ouzel-commerce/ouzel/internal/kvstore"
	"github.com/ouzel-commerce/ouzel/internal/luarun"
)

var (
	ErrUnknown        = errors.New("coupons: unknown code")
	ErrAlreadyUsed    = errors.New("coupons: code already redeemed")
	ErrLimitReached   = errors.New("coupons: per-customer limit reached")
	ErrCampaignClosed = errors.New("coupons: campaign closed")
)

// Coupon is a coupon definition.
type Coupon struct {
	Code        string    `json:"code"`
	Campaign    string    `json:"campaign"`
	Title       string    `json:"title"`
	PercentOff  int       `json:"percent_off"`
	SingleUse   bool      `json:"single_use"`
	PerCustomer int       `json:"per_customer"`
	Ends        time.Time `json:"ends"`
}

// Catalog is the merchandising system that owns coupon definitions.
type Catalog interface {
	Coupon(ctx context.Context, code string) (*Coupon, error)
}

// Service answers coupon questions for checkout.
type Service struct {
	kv      *kvstore.Store
	lua     *luarun.Runner
	catalog Catalog
}

// NewService wires the coupon service.
func NewService(store *kvstore.Store, runner *luarun.Runner, catalog Catalog) *Service {
	return &Service{kv: store, lua: runner, catalog: catalog}
}

const (
	defTTL      = 10 * time.Minute
	importBatch = 25_000 // EXPECT kvlimits
)

const legalTerms = `Offer valid for a limited time on eligible items sold and shipped by the store. ` +
	`Not valid on gift cards, previous purchases, taxes, shipping, or items from marketplace sellers. ` +
	`Limit one code per order unless stated otherwise. Codes have no cash value and cannot be exchanged, ` +
	`transferred, sold or combined with other promotional codes, employee discounts or price matching. ` +
	`If you return an item purchased with this code, the refund will be the price paid after the discount ` +
	`was applied, and the discount will not be reissued. We reserve the right to modify or cancel this offer ` +
	`at any time without notice, including in case of technical errors, fraud or abuse. Void where prohibited ` +
	`or restricted by law. Subject to availability; quantities are limited and may vary by region. The store ` +
	`is not responsible for lost or stolen codes. By redeeming this code, you agree to the general terms and ` +
	`conditions of sale published on the website, which prevail in case of conflict with this summary. ` +
	`Questions about this offer can be sent to customer care through the help centre of the store.`

func defKey(code string) string        { return "coupon-def:" + code }
func redeemedKey(code string) string   { return "redeemed:" + code }
func usesKey(code, cust string) string { return "coupon-uses:" + code + ":" + cust }

// Definition returns the coupon, reading through the KV copy.
func (s *Service) Definition(ctx context.Context, code string) (*Coupon, error) {
	raw, err := s.kv.Get(ctx, defKey(code))
	if err == nil {
		var c Coupon
		if json.Unmarshal(raw, &c) == nil {
			return &c, nil
		}
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}
	c, err := s.catalog.Coupon(ctx, code)
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, ErrUnknown
	}
	out, _ := json.Marshal(c)
	if err := s.kv.Cache(ctx, defKey(code), out, defTTL); err != nil {
		return c, err
	}
	return c, nil
}

// Publish pushes a definition to KV ahead of a campaign launch so the edge
// can show the offer and its terms without calling back to the origin.
func (s *Service) Publish(ctx context.Context, c *Coupon) error {
	raw, err := json.Marshal(c)
	if err != nil {
		return err
	}
	md := map[string]any{
		"title": c.Title,
		"terms": legalTerms, // EXPECT kvlimits
	}
	return s.kv.PutMeta(ctx, defKey(c.Code), raw, max(time.Until(c.Ends), 0)+24*time.Hour, md)
}

// Redeem marks a single-use code as used by customer.
func (s *Service) Redeem(ctx context.Context, c *Coupon, customer string) error {
	if time.Now().After(c.Ends) {
		return ErrCampaignClosed
	}
	if c.SingleUse {
		_, err := s.kv.Get(ctx, redeemedKey(c.Code))
		if err == nil {
			return ErrAlreadyUsed
		}
		if !errors.Is(err, kvstore.ErrNotFound) {
			return err
		}
		body := fmt.Sprintf(`{"customer":%q,"at":%d}`, customer, time.Now().Unix())
		return s.kv.Put(ctx, redeemedKey(c.Code), []byte(body), 0) // EXPECT kvrace
	}
	return s.countUse(ctx, c, customer)
}

func (s *Service) countUse(ctx context.Context, c *Coupon, customer string) error {
	used := 0
	raw, err := s.kv.Get(ctx, usesKey(c.Code, customer))
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
	case err != nil:
		return err
	default:
		if used, err = strconv.Atoi(string(raw)); err != nil {
			return err
		}
	}
	if c.PerCustomer > 0 && used >= c.PerCustomer {
		return ErrLimitReached
	}
	ttl := time.Until(c.Ends) + 7*24*time.Hour                                         // DEBATABLE kvttl
	return s.kv.Put(ctx, usesKey(c.Code, customer), []byte(strconv.Itoa(used+1)), ttl) // EXPECT kvcounter|kvrace
}

// Claim reserves a code for a customer during checkout through the Lua
// runner, the same path the monolith's EVALSHA used.
func (s *Service) Claim(ctx context.Context, code, customer string) (bool, error) {
	out, err := s.lua.Run(ctx, "claim_coupon", code, customer, 15*60)
	if err != nil {
		return false, err
	}
	ok, _ := out.(bool)
	return ok, nil
}

// Import loads a generated batch of single-use codes for a campaign.
func (s *Service) Import(ctx context.Context, campaign string, codes []string, ends time.Time) error {
	const progressKey = "coupons:import:progress"
	done := 0
	for chunk := range slices.Chunk(codes, importBatch) {
		entries := make([]kvstore.Entry, len(chunk))
		for i, code := range chunk {
			body, _ := json.Marshal(Coupon{Code: code, Campaign: campaign, SingleUse: true, Ends: ends})
			entries[i] = kvstore.Entry{
				Key:   defKey(code),
				Value: body,
				TTL:   max(time.Until(ends), 0) + 24*time.Hour,
				Meta:  map[string]string{"campaign": campaign},
			}
		}
		failed, err := s.kv.PutMany(ctx, entries)
		if err != nil {
			return err
		}
		done += len(chunk) - len(failed)
		status := fmt.Sprintf(`{"campaign":%q,"done":%d,"total":%d}`, campaign, done, len(codes))
		if err := s.kv.Put(ctx, progressKey, []byte(status), time.Hour); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// Retire removes a campaign's codes in bulk-delete sized batches.
func (s *Service) Retire(ctx context.Context, codes []string) error {
	keys := make([]string, len(codes))
	for i, c := range codes {
		keys[i] = defKey(c)
	}
	var errs []error
	for chunk := range slices.Chunk(keys, kvstore.MaxBulkWrite) {
		if err := s.kv.DeleteMany(ctx, chunk); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
