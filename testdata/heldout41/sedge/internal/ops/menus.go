package ops

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"sedge/internal/restkv"
)

// bulkBatch is how many pairs go into one bulk write.
const bulkBatch = 5000

// slotMinutes is one week of one-minute booking slots.
const slotMinutes = 7 * 24 * 60

// allergenLegend is shown under every menu.
const allergenLegend = "Allergen key for all Sedge partner venues. (1) Celery, including celeriac, celery salt and" +
	" stalks, leaves and seeds. (2) Cereals containing gluten: wheat such as spelt and " +
	"khorasan, rye, barley and oats, and products made from them. (3) Crustaceans, for example " +
	"prawns, crabs and lobster, including shrimp paste. (4) Eggs, including dishes glazed or " +
	"bound with egg, fresh pasta and many sauces. (5) Fish, including fish sauce, anchovy in " +
	"dressings and some pizzas. (6) Lupin, found in some breads, pastries and pasta, as flour " +
	"or seeds. (7) Milk, including butter, cheese, cream, milk powders and yoghurt. (8) " +
	"Molluscs, such as mussels, land snails, squid and whelks, and oyster sauce. (9) Mustard, " +
	"including liquid mustard, mustard powder and mustard seeds, and many dressings and " +
	"marinades. (10) Tree nuts: almonds, hazelnuts, walnuts, cashews, pecans, Brazil nuts, " +
	"pistachios and macadamia nuts, and nut oils. (11) Peanuts, including groundnut oil and " +
	"satay sauces. (12) Sesame seeds, including tahini, hummus and sesame oil. (13) Soya, " +
	"including tofu, bean curd, edamame and soya flour. (14) Sulphur dioxide and sulphites " +
	"above 10 mg per kg, found in dried fruit, wine and some meat products. Dishes are prepared" +
	" in kitchens that handle all fourteen allergens; ask your server before ordering."

// PublishMenus writes every venue's menu in bulk and then refreshes the
// venue directory the worker reads.
func (a *Admin) PublishMenus(ctx context.Context, menus map[string][]byte) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(menus))
	for venue, m := range menus {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F(a.prefix + "menu:" + venue),
			Value:         cloudflare.F(string(m)),
			ExpirationTTL: cloudflare.F(float64(6 * 60 * 60)),
		})
	}
	var errs []error
	for start := 0; start < len(body); start += bulkBatch {
		end := min(start+bulkBatch, len(body))
		res, err := a.client.KV.Namespaces.BulkUpdate(ctx, a.ns, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(a.account),
			Body:      body[start:end],
		})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if len(res.UnsuccessfulKeys) > 0 {
			errs = append(errs, fmt.Errorf("menus: %d keys not written: %v", len(res.UnsuccessfulKeys), res.UnsuccessfulKeys))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	var listed []string
	for _, venue := range slices.Sorted(maps.Keys(menus)) {
		listed = append(listed, venue)
		_, err := a.client.KV.Namespaces.Values.Update(ctx, a.ns, a.prefix+"directory:venues", kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
			AccountID: cloudflare.F(a.account),
			Value:     cloudflare.F(strings.Join(listed, ",")),
		})
		if err != nil {
			return fmt.Errorf("directory after %s: %w", venue, err)
		}
	}
	return nil
}

// PublishAllergenKey writes the allergen table; the legend travels in the
// key's metadata so that list results carry it.
func (a *Admin) PublishAllergenKey(ctx context.Context, table []byte) error {
	_, err := a.client.KV.Namespaces.Values.Update(ctx, a.ns, a.prefix+"allergen-key", kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(a.account),
		Value:     cloudflare.F(string(table)),
		Metadata:  cloudflare.F[any](map[string]string{"legend": allergenLegend}), // EXPECT kvlimits
	})
	return err
}

// PrecomputeSlots writes a week of per-minute availability for a venue, so
// the booking widget can read a slot without asking the origin.
func (a *Admin) PrecomputeSlots(ctx context.Context, venue string, open func(time.Time) bool) error {
	start := time.Now().Truncate(time.Minute)
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, slotMinutes)
	for i := range slotMinutes {
		t := start.Add(time.Duration(i) * time.Minute)
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:        cloudflare.F(string(fmt.Appendf(nil, "%sslots:%s:%s", a.prefix, venue, t.Format("2006-01-02T15:04")))),
			Value:      cloudflare.F(strconv.FormatBool(open(t))),
			Expiration: cloudflare.F(float64(t.Add(time.Hour).Unix())),
		})
	}
	_, err := a.client.KV.Namespaces.BulkUpdate(ctx, a.ns, kv.NamespaceBulkUpdateParams{ // EXPECT kvlimits
		AccountID: cloudflare.F(a.account),
		Body:      body,
	})
	return err
}

// HolidayHours publishes special opening hours, one key per weekday, for a
// fortnight.
func (a *Admin) HolidayHours(ctx context.Context, venue string, hours map[string]string) error {
	var errs []error
	for day, span := range hours {
		_, err := a.client.KV.Namespaces.Values.Update(ctx, a.ns, a.prefix+"hours-override:"+venue+":"+day, kv.NamespaceValueUpdateParams{
			AccountID:     cloudflare.F(a.account),
			Value:         cloudflare.F(span),
			ExpirationTTL: cloudflare.F(float64(14 * 24 * time.Hour)), // EXPECT kvttl
		})
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// ScheduleBanner shows a banner on a venue page until the given time.
func (a *Admin) ScheduleBanner(ctx context.Context, venue, text string, until time.Time) error {
	_, err := a.client.KV.Namespaces.Values.Update(ctx, a.ns, a.prefix+"banner:"+venue, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(a.account),
		Value:      cloudflare.F(text),
		Expiration: cloudflare.F(float64(until.UnixMilli())), // EXPECT kvttl
	})
	return err
}

// PreviewBanner puts a banner on the venue's preview page just long enough
// for the manager to look at it.
func (a *Admin) PreviewBanner(ctx context.Context, venue, text string) error {
	return a.banners.Put(ctx, "preview:"+venue, []byte(text), restkv.WriteOpts{
		ExpireAt: time.Now().Add(45 * time.Second), // EXPECT kvttl
	})
}

// PromoteBanner makes a previewed banner live for two days.
func (a *Admin) PromoteBanner(ctx context.Context, venue, text string) error {
	return a.banners.Put(ctx, venue, []byte(text), restkv.WriteOpts{
		ExpireAt: time.Now().Add(48 * time.Hour),
	})
}

// Directory returns the venue directory, reading through KV to the origin.
func (a *Admin) Directory(ctx context.Context, load func(context.Context) ([]string, error)) ([]string, error) {
	o, err := a.dir.Lookup(ctx, "venues")
	if err != nil {
		return nil, err
	}
	if raw, ok := o.Get(); ok {
		return strings.Split(string(raw), ","), nil
	}
	venues, err := load(ctx)
	if err != nil {
		return nil, err
	}
	return venues, a.dir.PutFor(ctx, "venues", []byte(strings.Join(venues, ",")), 30*time.Second)
}
