package admin

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"
)

// couponBatchSize is the number of single-use codes printed for an event.
const couponBatchSize = 12_500

// impersonationTTL is how long a support engineer may act as a customer in
// the portal, in seconds.
const impersonationTTL = 30

func code() string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)
}

// SeedCoupons creates a batch of promo codes for a campaign in one request.
func (a *Admin) SeedCoupons(ctx context.Context, campaign string, creditCents int64) ([]string, error) {
	value, _ := json.Marshal(map[string]any{"credit_cents": creditCents, "campaign": campaign})
	codes := make([]string, 0, couponBatchSize)
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, couponBatchSize)
	for range couponBatchSize {
		c := code()
		codes = append(codes, c)
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F("promo:" + c),
			Value:         cloudflare.F(string(value)),
			ExpirationTTL: cloudflare.F(float64(90 * 24 * 3600)),
		})
	}
	_, err := a.cf.KV.Namespaces.Bulk.Update(ctx, a.namespaceID, kv.NamespaceBulkUpdateParams{ // EXPECT kvlimits
		AccountID: cloudflare.F(a.accountID),
		Body:      body,
	})
	return codes, err
}

// ImportPrices loads a price list exported from the old billing system,
// 10,000 pairs per request.
func (a *Admin) ImportPrices(ctx context.Context, prices map[string]int64) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(prices))
	for sku, cents := range prices {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F("price:" + sku),
			Value:         cloudflare.F(fmt.Sprint(cents)),
			ExpirationTTL: cloudflare.F(float64(24 * 3600)),
			Metadata:      cloudflare.F(map[string]interface{}{"cents": cents}),
		})
	}
	for len(body) > 0 {
		n := min(len(body), 10_000)
		if _, err := a.cf.KV.Namespaces.Bulk.Update(ctx, a.namespaceID, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(a.accountID),
			Body:      body[:n],
		}); err != nil {
			return err
		}
		body = body[n:]
	}
	return nil
}

// Impersonate issues a short-lived token that lets a support engineer open
// the customer's portal.
func (a *Admin) Impersonate(ctx context.Context, engineer, customerID string) (string, error) {
	tok := code()
	v, _ := json.Marshal(map[string]string{"engineer": engineer, "customer": customerID})
	_, err := a.cf.KV.Namespaces.Bulk.Update(ctx, a.namespaceID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(a.accountID),
		Body: []kv.NamespaceBulkUpdateParamsBody{{
			Key:           cloudflare.F("impersonate:" + tok),
			Value:         cloudflare.F(string(v)),
			ExpirationTTL: cloudflare.F(float64(impersonationTTL)), // EXPECT kvttl
		}},
	})
	return tok, err
}

// ScheduleMaintenance shows the maintenance banner on the portal until the
// window ends.
func (a *Admin) ScheduleMaintenance(ctx context.Context, message string, window time.Duration) error {
	_, err := a.cf.KV.Namespaces.Bulk.Update(ctx, a.namespaceID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(a.accountID),
		Body: []kv.NamespaceBulkUpdateParamsBody{{
			Key:        cloudflare.F("banner:maintenance"),
			Value:      cloudflare.F(message),
			Expiration: cloudflare.F(float64(time.Now().Add(window).UnixMilli())), // EXPECT kvttl
		}},
	})
	return err
}

// PinAnnouncement shows an announcement until the end of the given day.
func (a *Admin) PinAnnouncement(ctx context.Context, message string, day time.Time) error {
	end := time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, time.UTC)
	if time.Until(end) < time.Hour {
		end = end.Add(24 * time.Hour)
	}
	_, err := a.cf.KV.Namespaces.Bulk.Update(ctx, a.namespaceID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(a.accountID),
		Body: []kv.NamespaceBulkUpdateParamsBody{{
			Key:        cloudflare.F("banner:announcement"),
			Value:      cloudflare.F(message),
			Expiration: cloudflare.F(float64(end.Unix())),
		}},
	})
	return err
}
