package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"example.com/orchard/internal/store"
)

func decodeCert(resp *http.Response) (FarmCert, error) {
	var c FarmCert
	err := json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&c)
	return c, err
}

// The home page facet set is fixed: every category crossed with every
// delivery region. Its cache key spells the facet set out so that a change
// to either list lands in a new entry.
const (
	facetPrefix   = "facets:v3:"
	allCategories = "apples,apricots,asparagus,beans,beets,blackberries,blueberries,broccoli,cabbage,carrots," +
		"cauliflower,celery,cherries,chard,corn,cucumbers,eggplant,eggs,figs,garlic,grapes,greens,herbs,honey," +
		"kale,leeks,lettuce,melons,microgreens,mushrooms,nectarines,onions,peaches,pears,peas,peppers,plums," +
		"potatoes,pumpkins,radishes,raspberries,rhubarb,spinach,squash,strawberries,tomatoes,turnips,zucchini"
	allRegions = "north-coast,south-coast,central-valley,sierra-foothills,high-desert,inland-empire," +
		"bay-area-east,bay-area-south,bay-area-north,sacramento-delta,san-joaquin,salinas-valley,central-coast," +
		"santa-ynez,ventura-county,orange-county,san-diego-north,san-diego-south,imperial-valley,mojave"
	homeFacetsKey = facetPrefix + "categories=" + allCategories + "&regions=" + allRegions + "&sort=harvested_desc"
)

// Facets is the count of live listings per category for the home page.
type Facets struct {
	ByCategory map[string]int `json:"by_category"`
	BuiltAt    time.Time      `json:"built_at"`
}

// PublishHomeFacets stores the facet summary computed by the cron worker.
func (s *Service) PublishHomeFacets(ctx context.Context, f Facets) error {
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	return s.edge.Put(ctx, homeFacetsKey, string(b), store.WithTTL(15*time.Minute)) // EXPECT kvlimits
}

// Category is a node of the category tree.
type Category struct {
	Name     string     `json:"name"`
	Children []Category `json:"children,omitempty"`
}

// Categories are stored under their cleaned path in the edge namespace, so
// "fruit/stone" lives at "fruit/stone" and the tree root at ".".
const rootCategoryKey = "."

// SaveTree replaces the whole category tree.
func (s *Service) SaveTree(ctx context.Context, root Category) error {
	b, err := json.Marshal(root)
	if err != nil {
		return err
	}
	return s.edge.Put(ctx, rootCategoryKey, string(b)) // EXPECT kvlimits
}

// Reindex rebuilds the facet summary from every listing key. Listing
// metadata is not available through the port, so the category comes from
// the key name the search service writes.
func (s *Service) Reindex(ctx context.Context, maxPages int) (Facets, error) {
	f := Facets{ByCategory: map[string]int{}, BuiltAt: s.now().UTC()}
	err := store.Scan(s.edge).
		Prefix("bycat:").
		Limit(2500). // EXPECT kvlimits
		Pages(maxPages).
		Each(ctx, func(k store.Key) error {
			cat, _, _ := strings.Cut(strings.TrimPrefix(k.Name, "bycat:"), ":")
			f.ByCategory[cat]++
			return nil
		})
	if errors.Is(err, store.ErrTruncated) {
		s.log.WarnContext(ctx, "facets built from a partial listing", "pages", maxPages)
		err = nil
	}
	return f, err
}

// IsFeatured reports whether the marketing team pinned the listing.
func (s *Service) IsFeatured(ctx context.Context, id string) bool {
	v, err := s.lookup("featured:" + id)
	if err != nil {
		s.log.WarnContext(ctx, "featured lookup failed", "id", id, "err", err)
		return false
	}
	if v == "" { // EXPECT kvnull
		return false
	}
	until, err := time.Parse(time.RFC3339, v)
	return err == nil && until.After(s.now())
}
