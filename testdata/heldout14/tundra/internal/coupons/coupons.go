// Package coupons mints partner promotion codes and redeems them.
package coupons

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/tundra/internal/storage"
)

// Coupon is the definition stored per code.
type Coupon struct {
	Campaign    string    `json:"campaign"`
	Code        string    `json:"code"`
	DiscountPct int       `json:"discount_pct"`
	ExpiresAt   time.Time `json:"expires_at"`
}

var (
	ErrUnknownCoupon = errors.New("coupons: unknown code")
	ErrCouponExpired = errors.New("coupons: code expired")
	ErrAlreadyUsed   = errors.New("coupons: code already used by this partner")
)

// campaignSize is how many codes a standard campaign gets.
const campaignSize = 12000

const codeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

func newCode() (string, error) {
	var raw [10]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", err
	}
	var b strings.Builder
	for i, c := range raw {
		if i == 5 {
			b.WriteByte('-')
		}
		b.WriteByte(codeAlphabet[int(c)%len(codeAlphabet)])
	}
	return b.String(), nil
}

func couponKey(campaign, code string) string { return "coupon:" + campaign + ":" + code }

// Minter writes a whole campaign in one go through the bulk endpoint.
type Minter struct {
	Client      *cloudflare.Client
	AccountID   string
	NamespaceID string
}

// MintCampaign creates a standard-size campaign and returns its codes.
func (m *Minter) MintCampaign(ctx context.Context, campaign string, discountPct int, expires time.Time) ([]string, error) {
	codes := make([]string, 0, campaignSize)
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, campaignSize)
	for range campaignSize {
		code, err := newCode()
		if err != nil {
			return nil, err
		}
		raw, _ := json.Marshal(Coupon{Campaign: campaign, Code: code, DiscountPct: discountPct, ExpiresAt: expires})
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:        cloudflare.F(couponKey(campaign, code)),
			Value:      cloudflare.F(string(raw)),
			Expiration: cloudflare.F(float64(expires.Unix())),
			Metadata:   cloudflare.F[any](map[string]any{"pct": discountPct}),
		})
		codes = append(codes, code)
	}
	_, err := m.Client.KV.Namespaces.BulkUpdate(ctx, m.NamespaceID, kv.NamespaceBulkUpdateParams{ // EXPECT kvlimits
		AccountID: cloudflare.F(m.AccountID),
		Body:      body,
	})
	if err != nil {
		return nil, fmt.Errorf("coupons: mint %s: %w", campaign, err)
	}
	return codes, nil
}

// Book reads and redeems coupons through the storage port.
type Book struct {
	Store storage.Store
	Now   func() time.Time
}

// Lookup returns the coupon for a code in a campaign.
func (b *Book) Lookup(ctx context.Context, campaign, code string) (Coupon, error) {
	raw, err := b.Store.Get(ctx, couponKey(campaign, strings.ToUpper(code)))
	if storage.IsNotFound(err) {
		return Coupon{}, ErrUnknownCoupon
	}
	if err != nil {
		return Coupon{}, err
	}
	var c Coupon
	if err := json.Unmarshal(raw, &c); err != nil {
		return Coupon{}, err
	}
	return c, nil
}

// Redeem applies a coupon to a partner account, once per partner.
func (b *Book) Redeem(ctx context.Context, partnerID, campaign, code string) (Coupon, error) {
	c, err := b.Lookup(ctx, campaign, code)
	if err != nil {
		return Coupon{}, err
	}
	now := b.Now()
	if now.After(c.ExpiresAt) {
		return Coupon{}, ErrCouponExpired
	}
	claim := "redeemed:" + c.Code + ":" + partnerID
	switch _, err := b.Store.Get(ctx, claim); {
	case err == nil:
		return Coupon{}, ErrAlreadyUsed
	case !storage.IsNotFound(err):
		return Coupon{}, err
	}
	stamp := []byte(now.UTC().Format(time.RFC3339))
	if err := b.Store.Put(ctx, claim, stamp, storage.WriteOpts{ExpireAt: c.ExpiresAt.Add(90 * 24 * time.Hour)}); err != nil { // EXPECT kvrace
		return Coupon{}, err
	}
	return c, nil
}

// CampaignPage is one page of a campaign's codes for the admin UI.
type CampaignPage struct {
	Codes  []string
	Cursor string
	Done   bool
}

// ListCampaign returns one page of codes; pass the returned cursor to continue.
func (b *Book) ListCampaign(ctx context.Context, campaign, cursor string) (CampaignPage, error) {
	prefix := "coupon:" + campaign + ":"
	page, err := b.Store.List(ctx, storage.ListQuery{
		Prefix: prefix,
		Cursor: cursor,
		Limit:  2000, // EXPECT kvlimits
	})
	if err != nil {
		return CampaignPage{}, err
	}
	out := CampaignPage{Cursor: page.Cursor, Done: page.Complete}
	for _, k := range page.Keys {
		out.Codes = append(out.Codes, strings.TrimPrefix(k.Name, prefix))
	}
	return out, nil
}
