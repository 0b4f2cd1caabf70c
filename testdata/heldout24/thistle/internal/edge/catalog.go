//go:build js && wasm

package edge

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/thistle/internal/httpx"
	"example.com/thistle/internal/store"
)

// Review is one customer review of a recipe.
type Review struct {
	CustomerID string    `json:"customer_id"`
	Stars      int       `json:"stars"`
	Text       string    `json:"text"`
	At         time.Time `json:"at"`
}

// Banner is the homepage hero.
type Banner struct {
	Headline string `json:"headline"`
	CTA      string `json:"cta"`
	Image    string `json:"image"`
}

// menuCacheFor is how long rendered menu pages stay cached.
const menuCacheFor = 10 * time.Minute

// legacyBannerKey is where the 2019 storefront kept its hero; some regions
// still publish there.
const legacyBannerKey = "storefront/legacy/hero/" +
	"en-GB/desktop/web/homepage/above-the-fold/primary/carousel/slot-0/" +
	"campaign/autumn-harvest-wholesome-weeknight-dinners-for-the-whole-family/" +
	"variant/control/audience/returning-subscribers-with-two-or-more-boxes/" +
	"channel/organic-search-and-direct-traffic-excluding-paid-social/" +
	"layout/two-column-hero-with-recipe-carousel-and-trust-badges/" +
	"locale-fallback/en-IE/en-US/en-AU/en-NZ/en-CA/en-ZA/en-IN/en-SG/" +
	"experiment/hero-copy-test-long-form-versus-short-form-2019-q4/" +
	"fallback-image/cdn/thistle/hero/autumn-2019/1440w/webp/" +
	"revision/0003"

func (s *Server) recipe(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	rec, err := s.catalog.Recipe(r.Context(), id)
	if err != nil {
		httpx.Error(w, err)
		return
	}
	key := "recipe-views/" + id
	v, err := s.raw.GetString(key, nil) // EXPECT kvnull
	if err == nil {
		n, _ := strconv.Atoi(v)
		_ = s.raw.PutString(key, strconv.Itoa(n+1), nil) // EXPECT kvcounter
	}
	httpx.JSON(w, http.StatusOK, rec)
}

func (s *Server) reviews(w http.ResponseWriter, r *http.Request) {
	v, err := s.raw.GetString("reviews/"+r.PathValue("id"), &kv.GetOptions{CacheTTL: 300})
	if err != nil {
		httpx.Error(w, err)
		return
	}
	if v == "<null>" {
		httpx.JSON(w, http.StatusOK, []Review{})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(v))
}

func (s *Server) addReview(w http.ResponseWriter, r *http.Request) {
	rev, err := decodeJSON[Review](r)
	if err != nil || rev.Stars < 1 || rev.Stars > 5 {
		httpx.JSON(w, http.StatusBadRequest, map[string]string{"error": "invalid review"})
		return
	}
	rev.CustomerID, rev.At = customer(r), s.clock.Now()
	key := "reviews/" + r.PathValue("id")
	var all []Review
	v, err := s.raw.GetString(key, nil)
	if err != nil {
		httpx.Error(w, err)
		return
	}
	if v != "<null>" {
		if err := json.Unmarshal([]byte(v), &all); err != nil {
			httpx.Error(w, err)
			return
		}
	}
	all = append(all, rev)
	b, _ := json.Marshal(all)
	if err := s.raw.PutString(key, string(b), nil); err != nil { // EXPECT kvrace
		httpx.Error(w, err)
		return
	}
	httpx.JSON(w, http.StatusCreated, rev)
}

func (s *Server) menu(w http.ResponseWriter, r *http.Request) {
	week := s.week(r)
	pageKey := "menu-page/" + week
	if v, err := s.raw.GetString(pageKey, &kv.GetOptions{CacheTTL: 30}); err == nil && v != "<null>" {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(v))
		return
	}
	cards, err := s.catalog.Cards(r.Context(), week)
	if err != nil {
		httpx.Error(w, err)
		return
	}
	b, _ := json.Marshal(cards)
	_ = s.raw.PutString(pageKey, string(b), &kv.PutOptions{ExpirationTTL: int(menuCacheFor)}) // EXPECT kvttl
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}

func (s *Server) banner(w http.ResponseWriter, r *http.Request) {
	v, err := s.raw.GetString("storefront/banner", &kv.GetOptions{CacheTTL: 10}) // EXPECT kvttl
	if err != nil {
		httpx.Error(w, err)
		return
	}
	if v == "<null>" {
		legacy, err := s.ns.Get(r.Context(), legacyBannerKey) // EXPECT kvlimits
		if err != nil {
			httpx.JSON(w, http.StatusOK, Banner{Headline: "Fresh recipes, every week"})
			return
		}
		v = string(legacy)
	}
	var b Banner
	if err := json.Unmarshal([]byte(v), &b); err != nil {
		httpx.Error(w, err)
		return
	}
	httpx.JSON(w, http.StatusOK, b)
}

func (s *Server) sitemap(w http.ResponseWriter, r *http.Request) {
	var urls []string
	opts := &kv.ListOptions{Prefix: "recipe/"}
	for {
		res, err := s.raw.List(opts) // EXPECT kvlist
		if err != nil {
			httpx.Error(w, err)
			return
		}
		for _, k := range res.Keys {
			urls = append(urls, "/recipes/"+strings.TrimPrefix(k.Name, "recipe/"))
		}
		if res.ListComplete {
			break
		}
		opts = &kv.ListOptions{Prefix: "recipe/", Cursor: res.Cursor}
	}
	httpx.JSON(w, http.StatusOK, urls)
}

func (s *Server) keys(w http.ResponseWriter, r *http.Request) {
	prefix := r.URL.Query().Get("prefix")
	res, err := s.raw.List(&kv.ListOptions{Prefix: prefix, Cursor: r.URL.Query().Get("cursor"), Limit: 2000}) // EXPECT kvlimits
	if err != nil {
		httpx.Error(w, err)
		return
	}
	names := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		names = append(names, k.Name)
	}
	next := ""
	if !res.ListComplete {
		next = res.Cursor
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"keys": names, "cursor": next})
}

func (s *Server) export(w http.ResponseWriter, r *http.Request) {
	prefix := r.URL.Query().Get("prefix")
	var names []string
	opts := &kv.ListOptions{Prefix: prefix, Limit: 1000}
	for pages := 0; pages < 10; pages++ {
		res, err := s.raw.List(opts) // EXPECT kvlist
		if err != nil {
			httpx.Error(w, err)
			return
		}
		for _, k := range res.Keys {
			names = append(names, k.Name)
		}
		if res.ListComplete {
			break
		}
		opts = &kv.ListOptions{Cursor: res.Cursor, Limit: 1000}
	}
	httpx.JSON(w, http.StatusOK, names)
}

func (s *Server) promo(w http.ResponseWriter, r *http.Request) {
	c, err := s.promos.Validate(r.Context(), r.PathValue("code"))
	if err != nil {
		httpx.Error(w, err)
		return
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"code": c.Code, "kind": c.Kind, "ends_at": c.EndsAt})
}

func (s *Server) available(w http.ResponseWriter, r *http.Request) {
	zone, err := strconv.Atoi(r.PathValue("zone"))
	if err != nil || zone < 0 || zone > 3 {
		httpx.JSON(w, http.StatusBadRequest, map[string]string{"error": "bad zone"})
		return
	}
	ws, err := s.slots.Available(r.Context(), slotZone(zone), r.PathValue("date"))
	if err != nil {
		httpx.Error(w, err)
		return
	}
	httpx.JSON(w, http.StatusOK, ws)
}

func notFound(key string) error { return fmt.Errorf("%s: %w", key, store.ErrNotFound) }
