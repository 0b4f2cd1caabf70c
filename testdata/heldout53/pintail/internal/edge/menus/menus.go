//go:build js && wasm

// Package menus serves restaurant menus from the edge. The origin API is the
// source of truth; KV holds a read-through copy per restaurant.
package menus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/pintail-eats/pintail/internal/edge/kvx"
	"github.com/syumai/workers/cloudflare/kv"
)

// Item is one dish on a menu.
type Item struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	PriceCents int      `json:"price_cents"`
	SoldOut    bool     `json:"sold_out,omitempty"`
	Allergens  []string `json:"allergens,omitempty"`
}

// Menu is the published menu of a restaurant.
type Menu struct {
	RestaurantID string    `json:"restaurant_id"`
	Version      int       `json:"version"`
	Items        []Item    `json:"items"`
	FetchedAt    time.Time `json:"fetched_at"`
}

// Banner is a time-limited promotion shown above a menu.
type Banner struct {
	Text   string    `json:"text"`
	EndsAt time.Time `json:"ends_at"`
}

const (
	menuPrefix    = "menu:"
	versionPrefix = "menu-version:"
	bannerPrefix  = "banner:"

	// allergenQuery is the origin request behind the allergen matrix page.
	allergenQuery = "/v2/catalog/allergen-matrix?include=" +
		"id,name,description,price_cents,currency,category,subcategory,is_vegan,is_vegetarian," +
		"is_halal,is_kosher,spice_level,calories,protein_g,carbs_g,fat_g,sugar_g,salt_g,fibre_g," +
		"contains_gluten,contains_crustaceans,contains_eggs,contains_fish,contains_peanuts," +
		"contains_soybeans,contains_milk,contains_nuts,contains_celery,contains_mustard," +
		"contains_sesame,contains_sulphites,contains_lupin,contains_molluscs,may_contain_traces," +
		"cross_contact_notes,supplier_declaration_url,last_reviewed_at,reviewed_by,label_version," +
		"region_overrides&locale=en-GB&fallback_locale=en&format=compact"
)

// MenuKey is the typed handle for a restaurant's cached menu.
func MenuKey(ns *kvx.Namespace, restaurantID string) kvx.Key[Menu] {
	return kvx.NewKey[Menu](ns, menuPrefix+restaurantID)
}

// SyncStatusKey holds a human-readable progress line for the last sync.
func SyncStatusKey(ns *kvx.Namespace) kvx.Key[string] {
	return kvx.NewKey[string](ns, "menu-sync:status")
}

// Service reads menus through the KV cache.
type Service struct {
	ns     *kvx.Namespace
	origin string
	client *http.Client

	mu    sync.Mutex
	views map[string]int
}

// New returns a Service reading misses from origin.
func New(ns *kvx.Namespace, origin string) *Service {
	return &Service{ns: ns, origin: origin, client: http.DefaultClient, views: map[string]int{}}
}

// Get returns the menu, filling the cache from the origin on a miss.
func (s *Service) Get(ctx context.Context, restaurantID string, ttl time.Duration) (Menu, error) {
	k := MenuKey(s.ns, restaurantID)
	m, err := k.Load(ctx)
	switch {
	case err == nil:
		s.countView(restaurantID)
		return m, nil
	case !errors.Is(err, kvx.ErrMiss):
		return Menu{}, err
	}
	if m, err = s.fetch(ctx, restaurantID); err != nil {
		return Menu{}, err
	}
	if err := k.Store(ctx, m, ttl); err != nil {
		return Menu{}, fmt.Errorf("cache menu %s: %w", restaurantID, err)
	}
	s.countView(restaurantID)
	return m, nil
}

// KitchenView is what the restaurant tablet polls; it wants a fresher copy
// than the public page.
func (s *Service) KitchenView(restaurantID string) (Menu, error) {
	raw, err := s.ns.Raw().GetString(menuPrefix+restaurantID, &kv.GetOptions{
		CacheTTL: 10, // EXPECT kvttl
	})
	if err != nil {
		return Menu{}, err
	}
	var m Menu
	if raw == "<null>" {
		return m, kvx.ErrMiss
	}
	return m, json.Unmarshal([]byte(raw), &m)
}

// PublicView is the customer-facing read; menus change a few times a day.
func (s *Service) PublicView(restaurantID string) (string, bool, error) {
	raw, err := s.ns.Raw().GetString(menuPrefix+restaurantID, &kv.GetOptions{CacheTTL: 300})
	if err != nil {
		return "", false, err
	}
	return raw, raw != "<null>", nil
}

// Version returns the menu version the origin last announced.
func (s *Service) Version(restaurantID string) (int, error) {
	v, err := s.ns.Raw().GetString(versionPrefix+restaurantID, nil)
	if err != nil {
		return 0, err
	}
	if v == "" { // EXPECT kvnull
		return 0, nil
	}
	return strconv.Atoi(v)
}

// Stale reports whether the cached menu is older than the announced version.
func (s *Service) Stale(ctx context.Context, restaurantID string) (bool, error) {
	ver, err := s.Version(restaurantID)
	if err != nil {
		return false, err
	}
	m, err := MenuKey(s.ns, restaurantID).Load(ctx)
	if errors.Is(err, kvx.ErrMiss) {
		return true, nil
	}
	return m.Version < ver, err
}

// MarkSoldOut flips one item on the cached menu until the next sync.
func (s *Service) MarkSoldOut(ctx context.Context, restaurantID, itemID string) error {
	k := MenuKey(s.ns, restaurantID)
	m, err := k.Load(ctx)
	if err != nil {
		return err
	}
	for i := range m.Items {
		if m.Items[i].ID == itemID {
			m.Items[i].SoldOut = true
		}
	}
	return k.Store(ctx, m, 6*time.Hour) // EXPECT kvrace
}

// Sync refreshes the cached menus of the given restaurants from the origin,
// one goroutine per restaurant.
func (s *Service) Sync(ctx context.Context, restaurantIDs []string) []error {
	errs := make([]error, len(restaurantIDs))
	var wg sync.WaitGroup
	for i, id := range restaurantIDs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m, err := s.fetch(ctx, id)
			if err != nil {
				errs[i] = err
				return
			}
			errs[i] = MenuKey(s.ns, id).Store(ctx, m, 6*time.Hour)
		}()
	}
	wg.Wait()
	return errs
}

// Reprice applies a price list to a menu item by item, keeping a progress
// line for the operator console.
func (s *Service) Reprice(ctx context.Context, restaurantID string, prices map[string]int) error {
	m, err := s.fetch(ctx, restaurantID)
	if err != nil {
		return err
	}
	status := SyncStatusKey(s.ns)
	for i, it := range m.Items {
		if p, ok := prices[it.ID]; ok {
			m.Items[i].PriceCents = p
		}
		if err := status.Store(ctx, fmt.Sprintf("%s: %d/%d", restaurantID, i+1, len(m.Items)), time.Hour); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return MenuKey(s.ns, restaurantID).Store(ctx, m, 6*time.Hour)
}

// Index returns the IDs of restaurants with a cached menu, for the sitemap.
func (s *Service) Index() ([]string, error) {
	res, err := s.ns.Raw().List(&kv.ListOptions{Prefix: menuPrefix}) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		ids = append(ids, k.Name[len(menuPrefix):])
	}
	return ids, nil
}

// IndexPage returns one page of cached restaurant IDs and the cursor for the
// next one; the sitemap generator follows it across invocations.
func (s *Service) IndexPage(cursor string) ([]string, string, error) {
	res, err := s.ns.Raw().List(&kv.ListOptions{Prefix: menuPrefix, Cursor: cursor, Limit: 500})
	if err != nil {
		return nil, "", err
	}
	ids := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		ids = append(ids, k.Name[len(menuPrefix):])
	}
	if res.ListComplete {
		return ids, "", nil
	}
	return ids, res.Cursor, nil
}

// SetBanner shows a promotion until it ends.
func (s *Service) SetBanner(restaurantID string, b Banner) error {
	raw, err := json.Marshal(b)
	if err != nil {
		return err
	}
	return s.ns.Raw().PutString(bannerPrefix+restaurantID, string(raw), &kv.PutOptions{
		Expiration: int(b.EndsAt.UnixMilli()), // EXPECT kvttl
	})
}

// SetDefaultBanner shows a promotion for a week.
func (s *Service) SetDefaultBanner(restaurantID, text string) error {
	b := Banner{Text: text, EndsAt: time.Now().Add(7 * 24 * time.Hour)}
	raw, err := json.Marshal(b)
	if err != nil {
		return err
	}
	return s.ns.Raw().PutString(bannerPrefix+restaurantID, string(raw), &kv.PutOptions{
		Expiration: int(b.EndsAt.Unix()),
	})
}

// AllergenMatrix returns the allergen table, cached for a day.
func (s *Service) AllergenMatrix(ctx context.Context) (string, error) {
	raw, err := s.ns.Raw().GetString("origin:"+allergenQuery, &kv.GetOptions{CacheTTL: 3600}) // EXPECT kvlimits
	if err != nil || raw != "<null>" {
		return raw, err
	}
	body, err := s.get(ctx, allergenQuery)
	if err != nil {
		return "", err
	}
	return body, s.ns.Raw().PutString("origin:"+allergenQuery, body, &kv.PutOptions{ExpirationTTL: 86400}) // EXPECT kvlimits
}

func (s *Service) countView(restaurantID string) {
	s.mu.Lock()
	s.views[restaurantID]++
	n := s.views[restaurantID]
	s.mu.Unlock()
	if n%50 == 0 {
		_ = s.ns.Set("menu-views:"+restaurantID, strconv.Itoa(n), 0) // EXPECT kvcounter
	}
}

func (s *Service) fetch(ctx context.Context, restaurantID string) (Menu, error) {
	body, err := s.get(ctx, "/v2/restaurants/"+restaurantID+"/menu")
	if err != nil {
		return Menu{}, err
	}
	var m Menu
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		return Menu{}, err
	}
	m.FetchedAt = time.Now()
	return m, nil
}

func (s *Service) get(ctx context.Context, path string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.origin+path, nil)
	if err != nil {
		return "", err
	}
	res, err := s.client.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("origin %s: %s", path, res.Status)
	}
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return "", err
	}
	return string(b), nil
}
