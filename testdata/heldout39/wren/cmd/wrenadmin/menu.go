package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"wren/internal/keys"
)

// allergenNotice is the statement the food-information regulations require
// next to every menu; the edge renders it from the menu's metadata.
const allergenNotice = "Food allergies and intolerances: before you order your food and drinks " +
	"please speak to a member of our staff if you want to know about the ingredients in any dish. " +
	"All of our dishes are prepared in a kitchen where the fourteen major allergens (celery, cereals " +
	"containing gluten, crustaceans, eggs, fish, lupin, milk, molluscs, mustard, tree nuts, peanuts, " +
	"sesame seeds, soybeans and sulphur dioxide/sulphites) are present and handled every day. " +
	"Although we take every care to separate ingredients, use dedicated utensils and clean surfaces " +
	"between preparations, we cannot guarantee that any dish is completely free from any allergen, " +
	"and dishes marked as vegetarian, vegan or gluten-free may still contain traces. Fried dishes " +
	"share oil with other fried foods. Some dishes may contain bones or shell. Menu descriptions do " +
	"not list every ingredient. Game dishes may contain shot. A discretionary service charge of " +
	"12.5% is added to tables of six or more. All prices include VAT at the current rate. " +
	"Adults need around 2000 kcal a day. Allergen information was last reviewed by our head chef " +
	"and is updated whenever a recipe or supplier changes; ask for the printed allergen matrix."

type category struct {
	ID    string          `json:"id"`
	Name  string          `json:"name"`
	Items json.RawMessage `json:"items"`
}

type menuFile struct {
	ID         string     `json:"id"`
	Locale     string     `json:"locale"`
	Categories []category `json:"categories"`
}

func (e *env) publishMenu(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("publish-menu", flag.ExitOnError)
	tenant := fs.String("tenant", "", "tenant id")
	file := fs.String("file", "", "menu JSON exported from the POS")
	fs.Parse(args)

	raw, err := os.ReadFile(*file)
	if err != nil {
		return err
	}
	var m menuFile
	if err := json.Unmarshal(raw, &m); err != nil {
		return fmt.Errorf("menu file: %w", err)
	}
	ns, err := e.ns(*tenant)
	if err != nil {
		return err
	}
	versionKey := keys.Join(*tenant, "menu", m.ID, "version")
	for _, c := range m.Categories {
		key := keys.Join(*tenant, "menu", m.ID, "cat", c.ID)
		meta := map[string]string{"name": c.Name, "locale": m.Locale}
		if err := ns.PutMeta(ctx, key, string(c.Items), meta, 0); err != nil {
			return fmt.Errorf("category %s: %w", c.ID, err)
		}
		if err := ns.Put(ctx, versionKey, strconv.FormatInt(time.Now().Unix(), 10), 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}

	key, _ := keys.Policy{Tenant: *tenant}.For(keys.KindMenu, m.ID)
	_, err = ns.Client.KV.Namespaces.Values.Update(ctx, ns.ID, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(ns.AccountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(raw)),
		Metadata: cloudflare.F[any](map[string]string{ // EXPECT kvlimits
			"locale":  m.Locale,
			"notice":  allergenNotice,
			"version": strconv.FormatInt(time.Now().Unix(), 10),
		}),
	})
	if err != nil {
		return fmt.Errorf("publish %s: %w", m.ID, err)
	}
	fmt.Printf("published %s (%d categories)\n", m.ID, len(m.Categories))
	return nil
}

// previewSeconds is how long a banner preview stays on staging menus.
const previewSeconds = 30

func (e *env) previewBanner(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("preview-banner", flag.ExitOnError)
	tenant := fs.String("tenant", "", "tenant id")
	text := fs.String("text", "", "banner text")
	fs.Parse(args)

	ns, err := e.ns(*tenant)
	if err != nil {
		return err
	}
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(ns.AccountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(*text)),
	}
	params.ExpirationTTL = cloudflare.F[float64](previewSeconds) // EXPECT kvttl
	_, err = ns.Client.KV.Namespaces.Values.Update(ctx, ns.ID, keys.Join(*tenant, "preview", "banner"), params)
	return err
}

// voucherBatch is the size of a printed voucher run (one box of cards).
const voucherBatch = 12_000

type voucher struct {
	Campaign   string    `json:"campaign"`
	PercentOff int       `json:"percent_off"`
	Limit      int       `json:"limit"`
	EndsAt     time.Time `json:"ends_at"`
}

func (e *env) generateVouchers(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("generate-vouchers", flag.ExitOnError)
	tenant := fs.String("tenant", "", "tenant id")
	campaign := fs.String("campaign", "", "campaign name")
	pct := fs.Int("percent", 10, "percent off")
	days := fs.Int("days", 90, "validity in days")
	out := fs.String("out", "vouchers.csv", "codes for the printer")
	fs.Parse(args)

	ns, err := e.ns(*tenant)
	if err != nil {
		return err
	}
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	defer f.Close()
	w := csv.NewWriter(f)

	ends := time.Now().AddDate(0, 0, *days)
	doc, _ := json.Marshal(voucher{Campaign: *campaign, PercentOff: *pct, Limit: 1, EndsAt: ends})
	body := make([]kv.NamespaceBulkUpdateParamsBody, voucherBatch)
	for i := range body {
		code := strings.ToUpper(keys.NewID()[:10])
		body[i] = kv.NamespaceBulkUpdateParamsBody{
			Key:        cloudflare.F(keys.For(*tenant, keys.KindPromo, code)),
			Value:      cloudflare.F(string(doc)),
			Expiration: cloudflare.F(float64(ends.Unix())),
		}
		w.Write([]string{code, *campaign})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	res, err := ns.Client.KV.Namespaces.BulkUpdate(ctx, ns.ID, kv.NamespaceBulkUpdateParams{ // EXPECT kvlimits
		AccountID: cloudflare.F(ns.AccountID),
		Body:      body,
	})
	if err != nil {
		return fmt.Errorf("upload vouchers: %w", err)
	}
	fmt.Printf("uploaded %.0f vouchers, %d failed\n", res.SuccessfulKeyCount, len(res.UnsuccessfulKeys))
	return nil
}
