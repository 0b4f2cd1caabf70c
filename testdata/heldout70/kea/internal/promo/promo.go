// Package promo issues promo codes and records their redemptions.
package promo

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"github.com/kea-mobility/kea/internal/kvstore"
)

var (
	// ErrUnknown means the code does not exist or has expired.
	ErrUnknown = errors.New("promo: unknown code")
	// ErrExhausted means every use of the code has been taken.
	ErrExhausted = errors.New("promo: code exhausted")
	// ErrAlreadyUsed means this rider already redeemed the code.
	ErrAlreadyUsed = errors.New("promo: already used")
)

// Code is a promo campaign code.
type Code struct {
	Code       string    `json:"code"`
	PercentOff int       `json:"percent_off"`
	Remaining  int       `json:"remaining"`
	RedeemedBy []string  `json:"redeemed_by,omitempty"`
	Ends       time.Time `json:"ends"`
}

func codeKey(c string) string          { return "promo:code:" + strings.ToUpper(c) }
func usedKey(c, riderID string) string { return "promo:used:" + strings.ToUpper(c) + ":" + riderID }
func viewsKey(c string) string         { return "promo:views:" + strings.ToUpper(c) }

const (
	catalogVersionKey = "promo:catalog:version"
	voucherBatch      = 12_000
	termsText         = `Promotion terms. The discount applies to the fare before tips, tolls and airport fees, for trips that start inside the service area of the city named on the promotion. One use per rider account and per payment method. The code cannot be combined with other promotions, ride passes or corporate billing profiles, and it has no cash value. Kea may end the promotion early, change its terms, or cancel a redemption that results from abuse, including use by multiple accounts controlled by the same person, use with payment methods that fail or are charged back, or trips taken without a real passenger. Discounts are shown in the fare quote before the rider confirms the trip; the final receipt shows the amount applied. If the trip is cancelled by the rider after the driver arrives, the cancellation fee is not discounted and the promotion is not restored. Unused value does not carry over to another trip. Taxes are calculated on the discounted fare where the law allows. Riders must be 18 or older. Void where prohibited. Terms of Service apply.`
)

// Book holds promo codes in KV and counts how often codes are displayed.
type Book struct {
	kv *kvstore.Store

	mu    sync.Mutex
	views map[string]int
}

// NewBook returns a promo book over kv.
func NewBook(kv *kvstore.Store) *Book { return &Book{kv: kv, views: map[string]int{}} }

// Lookup returns a code without redeeming it.
func (b *Book) Lookup(ctx context.Context, code string) (Code, error) {
	raw, found, err := b.kv.Lookup(ctx, codeKey(code))
	if err != nil {
		return Code{}, err
	}
	if !found {
		return Code{}, ErrUnknown
	}
	var c Code
	if err := json.Unmarshal(raw, &c); err != nil {
		return Code{}, err
	}
	b.mu.Lock()
	b.views[c.Code]++
	b.mu.Unlock()
	return c, nil
}

// Redeem takes one use of code for riderID.
func (b *Book) Redeem(ctx context.Context, code, riderID string) (Code, error) {
	c, err := b.Lookup(ctx, code)
	if err != nil {
		return c, err
	}
	if time.Now().After(c.Ends) {
		return c, ErrUnknown
	}
	if c.Remaining <= 0 {
		return c, ErrExhausted
	}
	c.Remaining--
	c.RedeemedBy = append(c.RedeemedBy, riderID)
	body, _ := json.Marshal(c)
	return c, b.kv.PutUntil(ctx, codeKey(code), body, c.Ends) // EXPECT kvrace
}

// MarkUsed records that riderID used code, refusing a second use.
func (b *Book) MarkUsed(ctx context.Context, code, riderID, tripID string) error {
	_, err := b.kv.Get(ctx, usedKey(code, riderID))
	switch {
	case err == nil:
		return ErrAlreadyUsed
	case !errors.Is(err, kvstore.ErrNotFound):
		return err
	}
	return b.kv.Put(ctx, usedKey(code, riderID), []byte(tripID), 365*24*time.Hour) // EXPECT kvrace
}

// Campaign is a batch of single-use codes handed to a partner.
type Campaign struct {
	Name       string    `json:"name" vd:"len($)>0"`
	PercentOff int       `json:"percent_off" vd:"$>0 && $<=50"`
	Count      int       `json:"count" vd:"$>0 && $<=5000"`
	Ends       time.Time `json:"ends"`
}

// Issue creates the campaign's codes with one bulk write.
func (b *Book) Issue(ctx context.Context, cmp Campaign) ([]string, error) {
	if cmp.Ends.Before(time.Now().Add(time.Hour)) {
		return nil, fmt.Errorf("promo: campaign %q ends too soon", cmp.Name)
	}
	codes := make([]string, 0, cmp.Count)
	pairs := make([]*cloudflare.WorkersKVPair, 0, cmp.Count)
	for range cmp.Count {
		c := Code{Code: newCode(cmp.Name), PercentOff: cmp.PercentOff, Remaining: 1, Ends: cmp.Ends}
		body, _ := json.Marshal(c)
		codes = append(codes, c.Code)
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:        codeKey(c.Code),
			Value:      string(body),
			Expiration: int(cmp.Ends.Unix()),
			Metadata:   map[string]any{"campaign": cmp.Name, "pct": cmp.PercentOff},
		})
	}
	return codes, b.kv.WriteBatch(ctx, pairs)
}

// SeedVouchers pre-creates the yearly batch of driver-referral vouchers.
func (b *Book) SeedVouchers(ctx context.Context, ends time.Time) error {
	api, rc, ns := b.kv.Client()
	pairs := make([]*cloudflare.WorkersKVPair, 0, voucherBatch)
	for i := range voucherBatch {
		c := Code{Code: fmt.Sprintf("DRV%05d", i), PercentOff: 20, Remaining: 1, Ends: ends}
		body, _ := json.Marshal(c)
		pairs = append(pairs, &cloudflare.WorkersKVPair{Key: codeKey(c.Code), Value: string(body), Expiration: int(ends.Unix())})
	}
	_, err := api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: ns, KVs: pairs}) // EXPECT kvlimits
	return err
}

// Publish makes a public, shareable code visible in the app's promo tab.
func (b *Book) Publish(ctx context.Context, c Code) error {
	body, _ := json.Marshal(c)
	return b.kv.WriteBatch(ctx, []*cloudflare.WorkersKVPair{{
		Key:        codeKey(c.Code),
		Value:      string(body),
		Expiration: int(c.Ends.Unix()),
		Metadata:   map[string]string{"pct": strconv.Itoa(c.PercentOff), "terms": termsText}, // EXPECT kvlimits
	}})
}

// Activate publishes a set of codes and bumps the catalog version that the
// app polls.
func (b *Book) Activate(ctx context.Context, codes []Code) error {
	for _, c := range codes {
		if err := b.Publish(ctx, c); err != nil {
			return err
		}
		v := strconv.FormatInt(time.Now().UnixNano(), 36)
		if err := b.kv.PutForever(ctx, catalogVersionKey, []byte(v)); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// FlushViews writes the display counts gathered since the last flush.
func (b *Book) FlushViews(ctx context.Context) error {
	b.mu.Lock()
	views := b.views
	b.views = map[string]int{}
	b.mu.Unlock()
	var errs []error
	for code, n := range views {
		errs = append(errs, b.kv.PutForever(ctx, viewsKey(code), []byte(strconv.Itoa(n)))) // EXPECT kvcounter
	}
	return errors.Join(errs...)
}

// PurgeEnded deletes the codes of ended campaigns.
func (b *Book) PurgeEnded(ctx context.Context, now time.Time) (int, error) {
	purged := 0
	cursor := ""
	for {
		page, err := b.kv.Page(ctx, "promo:code:", cursor, 1000) // EXPECT kvlist
		if err != nil {
			return purged, err
		}
		for _, k := range page.Keys {
			if k.Expiration != 0 && int64(k.Expiration) < now.Unix() {
				if err := b.kv.Delete(ctx, k.Name); err == nil {
					purged++
				}
			}
		}
		if page.Cursor == "" {
			return purged, nil
		}
		cursor = page.Cursor
	}
}

// CampaignCodes returns one page of a campaign's codes using the metadata
// stored with each key, so no value has to be fetched.
func (b *Book) CampaignCodes(ctx context.Context, campaign, cursor string) ([]string, string, error) {
	page, err := b.kv.Page(ctx, "promo:code:"+strings.ToUpper(campaign), cursor, 100)
	if err != nil {
		return nil, "", err
	}
	out := make([]string, 0, len(page.Keys))
	for _, k := range page.Keys {
		out = append(out, strings.TrimPrefix(k.Name, "promo:code:"))
	}
	return out, page.Cursor, nil
}

func newCode(prefix string) string {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return strings.ToUpper(prefix) + string(b)
}
