// Package recipes serves the recipe catalogue at the edge. The kitchen
// system is the source of truth; KV holds read-shaped copies.
package recipes

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"example.com/thistle/internal/clock"
	"example.com/thistle/internal/config"
	"example.com/thistle/internal/keys"
	"example.com/thistle/internal/repo"
	"example.com/thistle/internal/store"
)

// Recipe is one dish on the menu.
type Recipe struct {
	ID         string   `json:"id"`
	Title      string   `json:"title"`
	Minutes    int      `json:"minutes"`
	Calories   int      `json:"calories"`
	Tags       []string `json:"tags"`
	Allergens  []string `json:"allergens"`
	ImageURL   string   `json:"image_url"`
	Week       string   `json:"week"`
	Premium    bool     `json:"premium"`
	Surcharge  int      `json:"surcharge_cents"`
	Difficulty string   `json:"difficulty"`
}

// StorageKey implements store.Keyed.
func (r Recipe) StorageKey() string { return RecipeKey.For(r.ID) }

// Summary is the card shown in menu listings.
type Summary struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Minutes int    `json:"minutes"`
}

// StorageKey implements store.Keyed.
func (s Summary) StorageKey() string { return summaryKey.For(s.ID) }

// Favourites is a customer's saved recipe ids.
type Favourites struct {
	RecipeIDs []string `json:"recipe_ids"`
}

var (
	// RecipeKey is the family of full recipe records.
	RecipeKey     = keys.New[Recipe]("recipe")
	summaryKey    = keys.New[Summary]("recipe-card")
	favouritesKey = keys.New[Favourites]("favourites")
	menuKey       = keys.New[[]string]("menu")
)

// OriginFetcher returns a LoaderFunc that reads recipes from the kitchen
// system over HTTP.
func OriginFetcher(client *http.Client, base string) store.LoaderFunc {
	return func(ctx context.Context, key string) ([]byte, error) {
		id, _ := RecipeKey.ID(key)
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/recipes/"+id, nil)
		if err != nil {
			return nil, err
		}
		res, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		defer res.Body.Close()
		if res.StatusCode == http.StatusNotFound {
			return nil, store.ErrNotFound
		}
		if res.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("recipes: origin status %d", res.StatusCode)
		}
		return io.ReadAll(io.LimitReader(res.Body, 1<<20))
	}
}

// Catalog serves recipes and menus.
type Catalog struct {
	s       store.Store
	load    store.LoaderFunc
	menus   *repo.Repo[[]string]
	favs    *repo.Repo[Favourites]
	clock   clock.Clock
	favMu   sync.Mutex
	cardTTL time.Duration
}

// NewCatalog wires a catalog over cache s and the kitchen origin.
func NewCatalog(s store.Store, origin store.Getter, c clock.Clock, cfg config.Config) *Catalog {
	return &Catalog{
		s:       s,
		load:    store.ReadThrough(s, origin, cfg.RecipeCacheTTL),
		menus:   repo.New(s, menuKey, repo.WithTTL(cfg.MenuCacheTTL)),
		favs:    repo.New(s, favouritesKey),
		clock:   c,
		cardTTL: 6 * time.Hour,
	}
}

// Recipe returns one recipe, from cache when possible.
func (c *Catalog) Recipe(ctx context.Context, id string) (Recipe, error) {
	return store.Load[Recipe](ctx, c.load, RecipeKey.For(id))
}

// Menu returns the recipe ids on the menu for the given week.
func (c *Catalog) Menu(ctx context.Context, week string) ([]string, error) {
	ids, ok, err := c.menus.Find(ctx, week)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("recipes: no menu for %s: %w", week, store.ErrNotFound)
	}
	return ids, nil
}

// Cards returns the summaries of the given week's menu. Summaries are
// written by the kitchen when the menu is published.
func (c *Catalog) Cards(ctx context.Context, week string) ([]Summary, error) {
	ids, err := c.Menu(ctx, week)
	if err != nil {
		return nil, err
	}
	out := make([]Summary, 0, len(ids))
	for _, id := range ids {
		sum, err := store.Load[Summary](ctx, c.s, summaryKey.For(id))
		if store.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, sum)
	}
	return out, nil
}

// StoreCard caches a recipe card after the kitchen pushes a change.
func (c *Catalog) StoreCard(ctx context.Context, r Recipe) error {
	return store.Save(ctx, c.s, Summary{ID: r.ID, Title: r.Title, Minutes: r.Minutes}, c.cardTTL)
}

// Browse returns every cached card under the given tag, one listed page at a
// time.
func (c *Catalog) Browse(ctx context.Context, tag string, cursor string) ([]Summary, string, error) {
	page, err := c.s.List(ctx, store.ListQuery{Prefix: summaryKey.Prefix(), Cursor: cursor, Limit: 50})
	if err != nil {
		return nil, "", err
	}
	var out []Summary
	for _, e := range page.Entries {
		sum, err := store.Load[Summary](ctx, c.s, e.Key) // EXPECT kvlist
		if err != nil {
			continue
		}
		if tag == "" || strings.Contains(strings.ToLower(sum.Title), tag) {
			out = append(out, sum)
		}
	}
	next := page.Cursor
	if page.Complete {
		next = ""
	}
	return out, next, nil
}

// AddFavourite saves a recipe to the customer's favourites.
func (c *Catalog) AddFavourite(ctx context.Context, customerID, recipeID string) error {
	c.favMu.Lock()
	defer c.favMu.Unlock()
	favs, _, err := c.favs.Find(ctx, customerID)
	if err != nil {
		return err
	}
	for _, id := range favs.RecipeIDs {
		if id == recipeID {
			return nil
		}
	}
	favs.RecipeIDs = append(favs.RecipeIDs, recipeID)
	sort.Strings(favs.RecipeIDs)
	return c.favs.Put(ctx, customerID, favs) // EXPECT kvrace
}

// Favourites returns the customer's saved recipes.
func (c *Catalog) Favourites(ctx context.Context, customerID string) ([]string, error) {
	favs, _, err := c.favs.Find(ctx, customerID)
	return favs.RecipeIDs, err
}

// Preview caches a draft recipe shared by the kitchen for review.
func (c *Catalog) Preview(ctx context.Context, r Recipe) error {
	return store.Save(ctx, c.s, r, 15*time.Second) // EXPECT kvttl
}

// Publish writes a week's menu. It is called from the nightly job only.
func (c *Catalog) Publish(ctx context.Context, week string, recipes []Recipe) error {
	ids := make([]string, 0, len(recipes))
	for _, r := range recipes {
		if err := store.Save(ctx, c.s, r, 0); err != nil {
			return err
		}
		ids = append(ids, r.ID)
	}
	return c.menus.Put(ctx, week, ids)
}

// Encode is a helper for handlers.
func Encode(w io.Writer, v any) error { return json.NewEncoder(w).Encode(v) }
