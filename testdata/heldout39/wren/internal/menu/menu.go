//go:build js && wasm

// Package menu serves table QR menus from the edge.
package menu

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare/fetch"

	"wren/internal/config"
	"wren/internal/keys"
	"wren/internal/kvx"
)

// allergenFeedURL is the partner feed with the allergen matrix for every
// dish in the catalogue (EU 14 allergens plus local additions).
const allergenFeedURL = "https://feeds.tablepartner.example.com/v3/catalogue/allergen-matrix" +
	"?format=json&locale=en-GB&fallback_locale=en&include=dishes,modifiers,modifier_groups,ingredients," +
	"sub_ingredients,may_contain,cross_contact,preparation_notes,supplier_declarations,certifications" +
	"&allergens=celery,cereals_gluten,crustaceans,eggs,fish,lupin,milk,molluscs,mustard,tree_nuts," +
	"peanuts,sesame,soya,sulphites,coconut,pine_nuts,buckwheat,garlic,onion,nightshades" +
	"&fields=id,name,allergens,may_contain,updated_at,supplier_id,declaration_id,declaration_version" +
	"&partner_id=wren-hospitality-platform&feed_version=2024-11-01&signature_alg=hmac-sha256" +
	"&page_size=5000"

// Service resolves and renders menus.
type Service struct {
	tenants *kvx.Tenants
	cfg     config.Menu
	http    *http.Client

	mu     sync.Mutex
	caches map[string]*kvx.Cache
	views  map[string]int
}

// New returns a menu service.
func New(t *kvx.Tenants, cfg config.Menu) *Service {
	return &Service{
		tenants: t,
		cfg:     cfg,
		http:    fetch.NewClient().HTTPClient(fetch.RedirectModeFollow),
		caches:  make(map[string]*kvx.Cache),
		views:   make(map[string]int),
	}
}

func (s *Service) cache(tenant string, st *kvx.Store) *kvx.Cache {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.caches[tenant]
	if !ok {
		c = kvx.NewCache(st, s.cfg.LocalEntries)
		s.caches[tenant] = c
	}
	return c
}

// Menu returns the rendered menu document for menuID.
func (s *Service) Menu(ctx context.Context, tenant, menuID string) (string, error) {
	st, err := s.tenants.For(tenant)
	if err != nil {
		return "", err
	}
	key, ttl := keys.Policy{Tenant: tenant}.For(keys.KindMenu, menuID)
	if s.cfg.TTL > 0 {
		ttl = s.cfg.TTL
	}
	return s.cache(tenant, st).Get(ctx, key, ttl, func(ctx context.Context) (string, error) {
		return s.fromOrigin(ctx, tenant, menuID)
	})
}

// ForTable resolves the menu bound to a table's QR code and renders it.
func (s *Service) ForTable(ctx context.Context, tenant string, table int) (string, error) {
	st, err := s.tenants.For(tenant)
	if err != nil {
		return "", err
	}
	menuID, ok, err := st.GetCached(ctx, keys.Table(tenant, table), s.cfg.CacheSeconds)
	if err != nil {
		return "", fmt.Errorf("table %d: %w", table, err)
	}
	if !ok {
		return "", fmt.Errorf("%s: no menu bound to table %d", tenant, table)
	}
	return s.Menu(ctx, tenant, menuID)
}

// Banner returns the promotional banner shown above every menu, if any.
func (s *Service) Banner(ctx context.Context, tenant string) (string, error) {
	st, err := s.tenants.For(tenant)
	if err != nil {
		return "", err
	}
	v, ok, err := st.GetCached(ctx, keys.Join(tenant, "menu", "banner"), 15) // EXPECT kvttl
	if err != nil || !ok {
		return "", err
	}
	return v, nil
}

// MarkSoldOut adds itemID to the tenant's sold-out list.
func (s *Service) MarkSoldOut(ctx context.Context, tenant, itemID string) error {
	st, err := s.tenants.For(tenant)
	if err != nil {
		return err
	}
	key := path.Join(tenant, keys.KindMenu.Prefix(), "soldout")
	var ids []string
	if _, err := st.GetJSON(ctx, key, &ids); err != nil {
		return fmt.Errorf("mark sold out: %w", err)
	}
	if slices.Contains(ids, itemID) {
		return nil
	}
	ids = append(ids, itemID)
	return st.PutJSON(ctx, key, ids, 20*time.Hour) // EXPECT kvrace
}

// ClearSoldOut resets the sold-out list; called by the nightly cron.
func (s *Service) ClearSoldOut(ctx context.Context, tenant string) error {
	st, err := s.tenants.For(tenant)
	if err != nil {
		return err
	}
	return st.PutJSON(ctx, path.Join(tenant, keys.KindMenu.Prefix(), "soldout"), []string{}, 20*time.Hour)
}

// Allergens returns the partner allergen matrix, cached in the shared namespace.
func (s *Service) Allergens(ctx context.Context) (string, error) {
	st := s.tenants.Shared()
	v, ok, err := st.Get(ctx, "upstream/"+allergenFeedURL) // EXPECT kvlimits
	if err != nil {
		return "", err
	}
	if ok {
		return v, nil
	}
	body, err := s.get(ctx, allergenFeedURL)
	if err != nil {
		return "", fmt.Errorf("allergen feed: %w", err)
	}
	if err := st.Put(ctx, "upstream/"+allergenFeedURL, body, 6*time.Hour); err != nil { // EXPECT kvlimits
		return "", err
	}
	return body, nil
}

// CountView records a view of page in this isolate; FlushViews persists totals.
func (s *Service) CountView(tenant, page string) {
	s.mu.Lock()
	s.views[tenant+"|"+page]++
	s.mu.Unlock()
}

// FlushViews writes this isolate's view totals. It runs under WaitUntil.
func (s *Service) FlushViews(ctx context.Context) {
	s.mu.Lock()
	pending := s.views
	s.views = make(map[string]int)
	s.mu.Unlock()

	day := keys.Day(time.Now())
	for k, n := range pending {
		tenant, page, _ := strings.Cut(k, "|")
		st, err := s.tenants.For(tenant)
		if err != nil {
			continue
		}
		key := keys.Join(tenant, "views", page, day)
		if err := st.Put(ctx, key, strconv.Itoa(n), 72*time.Hour); err != nil { // EXPECT kvcounter
			fmt.Printf("flush views %s: %v\n", key, err)
		}
	}
}

func (s *Service) fromOrigin(ctx context.Context, tenant, menuID string) (string, error) {
	return s.get(ctx, fmt.Sprintf("%s/tenants/%s/menus/%s", strings.TrimRight(s.cfg.OriginURL, "/"), tenant, menuID))
}

func (s *Service) get(ctx context.Context, u string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	res, err := s.http.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: %s", u, res.Status)
	}
	b, err := io.ReadAll(res.Body)
	return string(b), err
}
