// Package catalog serves menus to the ordering apps from Workers KV, filling
// the cache from the restaurant database on a miss.
package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/bramble/internal/ids"
	"example.com/bramble/internal/menus/model"
	"example.com/bramble/internal/platform/cfclient"
	"example.com/bramble/internal/platform/httpx"
	"example.com/bramble/internal/platform/kvstore"
)

const (
	menuCacheTTL  = 5 * time.Minute
	prefetchDepth = 250
	popularBudget = 40
)

// featuredSQL selects the restaurants shown on the home screen carousel.
const featuredSQL = `SELECT r.id, r.name, r.slug, r.cuisine, r.rating, r.hero_image_url,
       r.delivery_fee_cents, r.min_order_cents, r.price_band, r.eta_minutes_p50,
       r.accepts_cash, r.dietary_tags, z.code AS zone, z.surge_multiplier
  FROM restaurants r
  JOIN zones z ON z.id = r.zone_id
  LEFT JOIN restaurant_hours h ON h.restaurant_id = r.id AND h.weekday = EXTRACT(DOW FROM now())
 WHERE r.status = 'live'
   AND r.rating >= 4.3
   AND r.featured_until > now()
   AND (h.opens_at IS NULL OR (h.opens_at <= now()::time AND h.closes_at > now()::time))
 ORDER BY r.featured_rank ASC, r.rating DESC, r.id ASC
 LIMIT 24`

// ErrNoMenu is returned when a restaurant has no published menu.
var ErrNoMenu = errors.New("catalog: no menu")

// Featured is one home-screen card.
type Featured struct {
	ID      ids.RestaurantID `json:"id"`
	Name    string           `json:"name"`
	Slug    string           `json:"slug"`
	Cuisine string           `json:"cuisine"`
	Rating  float64          `json:"rating"`
}

// Origin is the restaurant database.
type Origin interface {
	LoadMenu(ctx context.Context, rid ids.RestaurantID) (model.Menu, error)
	QueryFeatured(ctx context.Context, sql string) ([]Featured, error)
	TopRestaurants(ctx context.Context, n int) ([]ids.RestaurantID, error)
}

// ErrOriginNotFound is returned by Origin for unknown restaurants.
var ErrOriginNotFound = errors.New("catalog: not in database")

// Catalog serves menus.
type Catalog struct {
	kv     kvstore.Store
	ns     cfclient.Namespace
	origin Origin
	views  *ViewCounter
}

// New wires the catalog.
func New(store kvstore.Store, ns cfclient.Namespace, origin Origin, views *ViewCounter) *Catalog {
	return &Catalog{kv: store, ns: ns, origin: origin, views: views}
}

func absentKey(rid ids.RestaurantID) string { return "menu-absent:" + rid.String() }

// Menu returns a restaurant's menu, from cache when possible.
func (c *Catalog) Menu(ctx context.Context, rid ids.RestaurantID) (model.Menu, error) {
	c.views.Inc(rid)
	raw, err := c.kv.Get(ctx, model.MenuKey(rid))
	if err == nil {
		var m model.Menu
		if err := json.Unmarshal(raw, &m); err == nil {
			return m, nil
		}
	} else if !kvstore.IsNotFound(err) {
		return model.Menu{}, err
	}
	if _, err := c.kv.Get(ctx, absentKey(rid)); err == nil {
		return model.Menu{}, ErrNoMenu
	}
	m, err := c.origin.LoadMenu(ctx, rid)
	if errors.Is(err, ErrOriginNotFound) {
		_ = c.kv.Put(ctx, absentKey(rid), []byte("1"),
			kvstore.WithTTL(15*time.Second)) // EXPECT kvttl
		return model.Menu{}, ErrNoMenu
	}
	if err != nil {
		return model.Menu{}, err
	}
	body, err := json.Marshal(m)
	if err != nil {
		return model.Menu{}, err
	}
	if err := c.kv.Put(ctx, model.MenuKey(rid), body, kvstore.WithTTL(menuCacheTTL)); err != nil {
		log.Printf("catalog: cache fill for %s: %v", rid, err)
	}
	return m, nil
}

// Featured returns the home-screen carousel.
func (c *Catalog) Featured(ctx context.Context) ([]Featured, error) {
	key := "q:" + featuredSQL // EXPECT kvlimits
	if raw, err := c.kv.Get(ctx, key); err == nil {
		var out []Featured
		if json.Unmarshal(raw, &out) == nil {
			return out, nil
		}
	}
	out, err := c.origin.QueryFeatured(ctx, featuredSQL)
	if err != nil {
		return nil, err
	}
	if body, err := json.Marshal(out); err == nil {
		_ = c.kv.Put(ctx, key, body, kvstore.WithTTL(10*time.Minute))
	}
	return out, nil
}

// Popular returns up to popularBudget items of a restaurant in key order.
func (c *Catalog) Popular(ctx context.Context, rid ids.RestaurantID) ([]model.Item, error) {
	keys, _, err := kvstore.Take(ctx, c.kv, kvstore.Keys(model.ItemPrefix(rid)).Limit(popularBudget), popularBudget)
	if err != nil {
		return nil, err
	}
	items := make([]model.Item, 0, len(keys))
	for _, k := range keys {
		raw, err := c.kv.Get(ctx, k.Name) // EXPECT kvlist
		if err != nil {
			continue
		}
		var it model.Item
		if json.Unmarshal(raw, &it) == nil && it.Available {
			items = append(items, it)
		}
	}
	return items, nil
}

// WarmTop loads the menus of the busiest restaurants in one round trip so
// that the first lunchtime requests do not all miss.
func (c *Catalog) WarmTop(ctx context.Context) (int, error) {
	top, err := c.origin.TopRestaurants(ctx, prefetchDepth)
	if err != nil {
		return 0, err
	}
	keys := make([]string, 0, prefetchDepth)
	for _, rid := range top[:min(len(top), prefetchDepth)] {
		keys = append(keys, model.MenuKey(rid))
	}
	res, err := c.ns.KV.Keys.BulkGet(ctx, c.ns.ID, kv.NamespaceKeyBulkGetParams{ // EXPECT kvlimits
		AccountID: cloudflare.F(c.ns.AccountID),
		Keys:      cloudflare.F(keys),
		Type:      cloudflare.F(kv.NamespaceKeyBulkGetParamsTypeText),
	})
	if err != nil {
		return 0, fmt.Errorf("warm top menus: %w", err)
	}
	values, _ := res.Values.(map[string]kv.NamespaceKeyBulkGetResponseWorkersKVBulkGetResultValuesUnion)
	return len(values), nil
}

// ViewCounter counts menu views in this process and publishes the running
// totals under a per-instance key for the analytics job to sum.
type ViewCounter struct {
	instance string
	kv       kvstore.Store
	mu       sync.Mutex
	counts   map[ids.RestaurantID]*atomic.Int64
}

// NewViewCounter returns a counter for this instance.
func NewViewCounter(store kvstore.Store, instance string) *ViewCounter {
	return &ViewCounter{instance: instance, kv: store, counts: make(map[ids.RestaurantID]*atomic.Int64)}
}

// Inc records one view.
func (v *ViewCounter) Inc(rid ids.RestaurantID) {
	v.mu.Lock()
	c, ok := v.counts[rid]
	if !ok {
		c = new(atomic.Int64)
		v.counts[rid] = c
	}
	v.mu.Unlock()
	c.Add(1)
}

// Publish writes every restaurant's running total for this instance.
func (v *ViewCounter) Publish(ctx context.Context) error {
	v.mu.Lock()
	snapshot := make(map[ids.RestaurantID]int64, len(v.counts))
	for rid, c := range v.counts {
		snapshot[rid] = c.Load()
	}
	v.mu.Unlock()
	var errs []error
	for rid, n := range snapshot {
		key := "stats:views:" + v.instance + ":" + rid.String()
		err := v.kv.Put(ctx, key, []byte(strconv.FormatInt(n, 10)), kvstore.WithTTL(48*time.Hour)) // DEBATABLE kvcounter
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// PublishEvery publishes on a fixed period until ctx ends.
func (v *ViewCounter) PublishEvery(ctx context.Context, period time.Duration) {
	var arm func()
	arm = func() {
		time.AfterFunc(period, func() {
			if ctx.Err() != nil {
				return
			}
			if err := v.Publish(ctx); err != nil {
				log.Printf("catalog: publish views: %v", err)
			}
			arm()
		})
	}
	arm()
}

// Routes returns the catalog endpoints.
func (c *Catalog) Routes() []httpx.Route {
	return []httpx.Route{
		{Pattern: "GET /v1/restaurants/{rid}/menu", Handler: c.handleMenu},
	}
}

func (c *Catalog) handleMenu(w http.ResponseWriter, r *http.Request) error {
	rid, err := ids.ParseRestaurantID(r.PathValue("rid"))
	if err != nil {
		return err
	}
	m, err := c.Menu(r.Context(), rid)
	if errors.Is(err, ErrNoMenu) {
		return httpx.Status(http.StatusNotFound, "restaurant has no menu", err)
	}
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "public, max-age=60")
	return httpx.WriteJSON(w, http.StatusOK, m)
}
