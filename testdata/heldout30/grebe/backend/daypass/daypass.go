// Package daypass records day-pass purchases made through the payment
// provider and publishes them to the namespace the door tablets read.
package daypass

import (
	"context"
	"crypto/rand"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"

	"example.com/grebe/backend/cfkv"
	"example.com/grebe/internal/domain"
	"example.com/grebe/internal/store"
)

// Payments hands out settled purchases that were not delivered yet.
type Payments interface {
	Undelivered(ctx context.Context, max int) (purchases []domain.DayPassPurchase, more bool, err error)
}

// Service writes day-pass data to KV.
type Service struct {
	api     *kv.NamespaceService
	account string
	ns      string
	port    *cfkv.Client
	pay     Payments
	now     func() time.Time
}

// New builds the service.
func New(api *cloudflare.Client, account, ns string, pay Payments) *Service {
	return &Service{
		api:     api.KV.Namespaces,
		account: account,
		ns:      ns,
		port:    cfkv.New(api, account, ns),
		pay:     pay,
		now:     time.Now,
	}
}

func (s *Service) get(ctx context.Context, key string) ([]byte, error) {
	resp, err := s.api.Values.Get(ctx, s.ns, url.PathEscape(key), kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.account)})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

func (s *Service) put(ctx context.Context, key string, value []byte) error {
	_, err := s.api.Values.Update(ctx, s.ns, url.PathEscape(key), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.account),
		Value:     cloudflare.F(string(value)),
		Metadata:  cloudflare.F("{}"),
	})
	return err
}

// Record stores a settled purchase and updates the site's ledger and
// monthly sales figure.
func (s *Service) Record(ctx context.Context, p domain.DayPassPurchase) error {
	day, err := time.Parse(time.DateOnly, p.Day)
	if err != nil {
		return err
	}
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	keep := day.AddDate(0, 0, 31)
	_, err = s.api.Bulk.Update(ctx, s.ns, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(s.account),
		Body: []kv.NamespaceBulkUpdateParamsBody{{
			Key:        cloudflare.F("daypass:" + p.ID),
			Value:      cloudflare.F(string(b)),
			Expiration: cloudflare.F(float64(keep.UnixMilli())), // EXPECT kvttl
			Metadata:   cloudflare.F(map[string]any{"site": p.Site, "day": p.Day, "email": p.Email}),
		}},
	})
	if err != nil {
		return fmt.Errorf("daypass: record %s: %w", p.ID, err)
	}
	if err := s.appendToLedger(ctx, p); err != nil {
		return err
	}
	return s.countSale(ctx, p)
}

// appendToLedger adds the purchase to the site's list for the day, which
// the front desk tablet shows.
func (s *Service) appendToLedger(ctx context.Context, p domain.DayPassPurchase) error {
	key := "daypass-ledger:" + string(p.Site) + ":" + p.Day
	var ledger []string
	b, err := s.get(ctx, key)
	switch {
	case cfkv.IsNotFound(err):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(b, &ledger); err != nil {
			return err
		}
	}
	ledger = append(ledger, p.ID)
	out, _ := json.Marshal(ledger)
	return s.put(ctx, key, out) // EXPECT kvrace
}

func (s *Service) countSale(ctx context.Context, p domain.DayPassPurchase) error {
	key := "daypass-sales-count:" + string(p.Site) + ":" + p.PurchasedAt.UTC().Format("2006-01")
	var n int64
	b, err := s.get(ctx, key)
	switch {
	case err == nil:
		n, _ = strconv.ParseInt(string(b), 10, 64)
	case !cfkv.IsNotFound(err):
		return err
	}
	return s.put(ctx, key, []byte(strconv.FormatInt(n+1, 10))) // EXPECT kvcounter
}

// settings controls day-pass sales at one site.
type settings struct {
	OnSale      bool  `json:"on_sale"`
	DailyLimit  int   `json:"daily_limit"`
	PriceCents  int64 `json:"price_cents"`
	GuestsAllow bool  `json:"guests_allowed"`
}

var defaultSettings = settings{OnSale: true, DailyLimit: 20, PriceCents: 3500}

// EnsureSettings writes the default settings for a site that has none yet.
func (s *Service) EnsureSettings(ctx context.Context, site domain.SiteID) error {
	key := "daypass-settings:" + string(site)
	resp, err := s.api.Values.Get(ctx, s.ns, url.PathEscape(key), kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.account)}) // EXPECT kvnull
	if err == nil {
		resp.Body.Close()
		return nil
	}
	b, _ := json.Marshal(defaultSettings)
	return s.put(ctx, key, b)
}

// Receipt publishes the receipt the door tablet shows when the visitor
// arrives, with the house rules in its metadata.
func (s *Service) Receipt(ctx context.Context, p domain.DayPassPurchase) error {
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	key := "daypass-receipt:" + string(p.Site) + ":" + p.Day + ":" + p.ID
	_, err = s.api.Values.Update(ctx, s.ns, url.PathEscape(key), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.account),
		Value:     cloudflare.F(string(b)),
		Metadata:  cloudflare.F(receiptMetaOpen + houseRules + receiptMetaClose), // EXPECT kvlimits
	})
	return err
}

// FirstArrivals returns the first receipts of the day for the tablet's
// welcome screen, and the cursor to continue from.
func (s *Service) FirstArrivals(ctx context.Context, site domain.SiteID, day string) ([]string, string, error) {
	page, err := s.api.Keys.List(ctx, s.ns, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.account),
		Prefix:    cloudflare.F("daypass-receipt:" + string(site) + ":" + day + ":"),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(page.Result))
	for _, k := range page.Result {
		names = append(names, k.Name)
	}
	return names, page.ResultInfo.Cursor, nil
}

// Sync pulls newly settled purchases from the payment provider, which
// hands out each purchase once, and reports progress for the ops screen.
func (s *Service) Sync(ctx context.Context) (int, error) {
	n := 0
	for range 50 {
		batch, more, err := s.pay.Undelivered(ctx, 100)
		if err != nil {
			return n, err
		}
		for _, p := range batch {
			if err := s.Record(ctx, p); err != nil {
				return n, err
			}
			n++
			status, _ := json.Marshal(map[string]any{"last": p.ID, "at": s.now().UTC()})
			if err := s.put(ctx, "daypass:sync-status", status); err != nil { // EXPECT kvhotkey
				return n, err
			}
		}
		if !more {
			break
		}
	}
	return n, nil
}

// Export writes every recorded purchase as CSV for the accountants.
func (s *Service) Export(ctx context.Context, w io.Writer) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"key", "site", "day", "email"})
	it := s.api.Keys.ListAutoPaging(ctx, s.ns, kv.NamespaceKeyListParams{AccountID: cloudflare.F(s.account), Prefix: cloudflare.F("daypass:")}) // EXPECT kvlist
	for it.Next() {
		k := it.Current()
		site, _ := k.Metadata["site"].(string)
		day, _ := k.Metadata["day"].(string)
		email, _ := k.Metadata["email"].(string)
		if err := cw.Write([]string{k.Name, site, day, email}); err != nil {
			return err
		}
	}
	if err := it.Err(); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// codePoolSize is how many entry codes are pre-generated per day.
const codePoolSize = 12_000

// PregenerateCodes writes the day's pool of unclaimed entry codes so that
// the door tablets can validate them offline.
func (s *Service) PregenerateCodes(ctx context.Context, day string) error {
	bodies := make([]kv.NamespaceBulkUpdateParamsBody, codePoolSize)
	for i := range bodies {
		b := make([]byte, 5)
		_, _ = rand.Read(b)
		bodies[i] = kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F("daypass-code:" + day + ":" + hex.EncodeToString(b)),
			Value:         cloudflare.F("unclaimed"),
			ExpirationTTL: cloudflare.F(float64(48 * 3600)),
		}
	}
	_, err := s.api.Bulk.Update(ctx, s.ns, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(s.account), Body: bodies}) // EXPECT kvlimits
	return err
}

// PublishPrices writes the price of every site and day in the next quarter
// in batches the bulk endpoint accepts.
func (s *Service) PublishPrices(ctx context.Context, prices map[string]int64) error {
	items := make([]cfkv.Item, 0, len(prices))
	for k, cents := range prices {
		items = append(items, cfkv.Item{
			Key:   "daypass-price:" + k,
			Value: []byte(strconv.FormatInt(cents, 10)),
			Opts:  store.PutOptions{TTL: 100 * 24 * time.Hour},
		})
	}
	return s.port.PutAll(ctx, items)
}
