// Package publish takes a menu approved in the restaurant portal and makes
// it visible to the ordering apps: the whole menu under one key for the menu
// screen and each item under its own key for search and deep links.
package publish

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/bramble/internal/ids"
	"example.com/bramble/internal/menus/model"
	"example.com/bramble/internal/platform/cfclient"
	"example.com/bramble/internal/platform/kvstore"
	"example.com/bramble/internal/platform/typed"
)

// bulkChunk is the number of items sent per bulk request.
const bulkChunk = 1000

// allergenNotice is shown under every menu, as required by the food
// information regulations in the markets we operate in.
const allergenNotice = "Food allergies and intolerances: before you order, please contact the restaurant directly " +
	"if you have a food allergy or intolerance and want to know more about the ingredients used in a dish. " +
	"Dishes are prepared in kitchens where the fourteen regulated allergens are handled, including cereals " +
	"containing gluten, crustaceans, eggs, fish, peanuts, soybeans, milk, nuts, celery, mustard, sesame seeds, " +
	"sulphur dioxide and sulphites, lupin and molluscs. Although restaurants take care to prevent cross-contact, " +
	"they cannot guarantee that any dish is completely free from any allergen. Allergen information shown on this " +
	"menu is supplied by the restaurant and is reviewed by them each time the menu is published; Bramble does not " +
	"prepare food and cannot verify it. Recipes and suppliers may change between publications, so please check the " +
	"information every time you order, even for dishes you have ordered before. Where a dish is marked as vegetarian, " +
	"vegan or gluten-free this describes the recipe, not the preparation environment. If you are unsure, do not order. " +
	"In an emergency call your local emergency number immediately."

// Publisher writes menus.
type Publisher struct {
	kv    kvstore.Store
	ns    cfclient.Namespace
	menus typed.Store[ids.RestaurantID, model.Menu]
}

// New wires a publisher. ns must name the namespace behind kv.
func New(store kvstore.Store, ns cfclient.Namespace) *Publisher {
	return &Publisher{
		kv:    store,
		ns:    ns,
		menus: typed.New[ids.RestaurantID, model.Menu](store, "menu:"),
	}
}

// Publish makes m live.
func (p *Publisher) Publish(ctx context.Context, m model.Menu) error {
	for _, it := range m.Items {
		if err := it.Validate(); err != nil {
			return err
		}
	}
	m.PublishedAt = time.Now().UTC()
	if err := p.writeItems(ctx, m); err != nil {
		return err
	}
	return p.menus.Put(ctx, m.Restaurant, m,
		kvstore.WithMetadata(
			"version", strconv.Itoa(m.Version),
			"currency", m.Currency,
			"allergen_notice", allergenNotice, // EXPECT kvlimits
		))
}

func (p *Publisher) writeItems(ctx context.Context, m model.Menu) error {
	for chunk := range slices.Chunk(m.Items, bulkChunk) {
		body := make([]kv.NamespaceKeyBulkUpdateParamsBody, 0, len(chunk))
		for _, it := range chunk {
			raw, err := json.Marshal(it)
			if err != nil {
				return err
			}
			body = append(body, kv.NamespaceKeyBulkUpdateParamsBody{
				Key:   cloudflare.F(model.ItemKey(m.Restaurant, it.ID)),
				Value: cloudflare.F(string(raw)),
				Metadata: cloudflare.F[any](map[string]any{
					"name":  it.Name,
					"price": it.PriceCents,
				}),
			})
		}
		res, err := p.ns.KV.Keys.BulkUpdate(ctx, p.ns.ID, kv.NamespaceKeyBulkUpdateParams{
			AccountID: cloudflare.F(p.ns.AccountID),
			Body:      body,
		})
		if err != nil {
			return fmt.Errorf("write items: %w", err)
		}
		if len(res.UnsuccessfulKeys) > 0 {
			return fmt.Errorf("write items: %d keys failed, first %q", len(res.UnsuccessfulKeys), res.UnsuccessfulKeys[0])
		}
	}
	return nil
}

// AddSpecial puts a daily special on the live menu without a full publish.
func (p *Publisher) AddSpecial(ctx context.Context, rid ids.RestaurantID, it model.Item) error {
	if err := it.Validate(); err != nil {
		return err
	}
	m, err := p.menus.Get(ctx, rid)
	if err != nil {
		return fmt.Errorf("load live menu: %w", err)
	}
	it.Special = true
	m.Items = slices.DeleteFunc(m.Items, func(x model.Item) bool { return x.ID == it.ID })
	m.Items = append(m.Items, it)
	if !slices.Contains(m.Sections, it.Section) {
		m.Sections = append(m.Sections, it.Section)
	}
	return p.menus.Put(ctx, rid, m) // EXPECT kvrace
}

// Unpublish removes a restaurant's menu and items, e.g. when it closes.
func (p *Publisher) Unpublish(ctx context.Context, rid ids.RestaurantID) (removed int, err error) {
	req := kvstore.Keys(model.ItemPrefix(rid)).Limit(500)
	for {
		page, err := p.kv.List(ctx, req) // EXPECT kvlist
		if err != nil {
			return removed, err
		}
		if len(page.Keys) == 0 {
			break
		}
		for _, k := range page.Keys {
			if err := p.kv.Delete(ctx, k.Name); err != nil {
				return removed, err
			}
			removed++
		}
		req = req.After(page.Cursor)
	}
	return removed, p.kv.Delete(ctx, model.MenuKey(rid))
}
