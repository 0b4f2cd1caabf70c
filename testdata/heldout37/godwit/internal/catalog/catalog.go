// Package catalog serves product pages from a read-through KV cache in front
// of the origin catalog API, and keeps the merchandising lists next to it.
package catalog

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"godwit/internal/config"
	"godwit/internal/kvstore"
	"godwit/internal/web"
)

// Product is the cached copy of an origin product.
type Product struct {
	SKU        string    `json:"sku"`
	Name       string    `json:"name"`
	Slug       string    `json:"slug"`
	PriceCents int64     `json:"price_cents"`
	Currency   string    `json:"currency"`
	Images     []string  `json:"images"`
	FetchedAt  time.Time `json:"fetched_at"`
}

// Collection is a merchant-curated landing page.
type Collection struct {
	Slug    string    `json:"slug"`
	Title   string    `json:"title"`
	SKUs    []string  `json:"skus"`
	Created time.Time `json:"created"`
}

// homeQuery is what the storefront asks the origin's GraphQL API for on the
// home page.
const homeQuery = `query HomeCollections($locale: String!, $first: Int = 12) {
  collections(featured: true, locale: $locale, first: $first) {
    edges { node { slug title description heroImage { url width height alt }
      products(first: 8, sortKey: BEST_SELLING) {
        edges { node { sku name slug priceRange { min { amount currencyCode } max { amount currencyCode } }
          images(first: 2) { url width height alt } badges { kind label } availability { inStock hint } } }
      } } }
    pageInfo { hasNextPage endCursor }
  }
}`

var (
	productRoot    = kvstore.Key("product")
	featuredRoot   = kvstore.Key("featured")
	collectionRoot = kvstore.Key("collection")
)

func productKey(sku string, version int) kvstore.Key {
	return productRoot.Child(sku).Versioned(version)
}

// Handler serves product pages and merchandising.
type Handler struct {
	cache   kvstore.Namespace
	origin  string
	client  *http.Client
	version int
	log     *slog.Logger
}

// NewHandler stacks the catalog cache over the CATALOG binding. version is the
// catalog schema version baked into product keys.
func NewHandler(base kvstore.Namespace, origin string, client *http.Client, version int, log *slog.Logger, m *kvstore.Metrics) *Handler {
	return &Handler{
		cache:   kvstore.Stack(base, kvstore.WithPrefix("catalog:"), kvstore.WithMetrics(m), kvstore.WithTTLFloor(config.MinTTL)),
		origin:  strings.TrimSuffix(origin, "/"),
		client:  client,
		version: version,
		log:     log,
	}
}

// Cache exposes the catalog stack to the scheduled jobs.
func (h *Handler) Cache() kvstore.Namespace { return h.cache }

// Register adds the catalog routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /products/{sku}", h.product)
	mux.HandleFunc("GET /home/collections", h.home)
	mux.HandleFunc("POST /admin/collections", h.createCollection)
	mux.HandleFunc("POST /admin/collections/{slug}/featured/{sku}", h.feature)
}

func (h *Handler) fetch(ctx context.Context, path string, v any) error {
	return web.GetJSON(ctx, h.client, h.origin+path, v)
}

// lookup reads a product through the cache.
func (h *Handler) lookup(ctx context.Context, sku string) (Product, error) {
	key := productKey(sku, h.version)
	raw, err := h.cache.Get(ctx, key)
	if err != nil {
		return Product{}, err
	}
	var p Product
	if raw != kvstore.Missing && json.Unmarshal([]byte(raw), &p) == nil {
		return p, nil
	}
	if err := h.fetch(ctx, "/products/"+url.PathEscape(sku), &p); err != nil {
		return Product{}, err
	}
	p.FetchedAt = time.Now().UTC()
	b, err := json.Marshal(p)
	if err != nil {
		return Product{}, err
	}
	if err := h.cache.Put(ctx, key, string(b), config.TTL("product")); err != nil {
		h.log.WarnContext(ctx, "product not cached", "sku", sku, "err", err)
	}
	return p, nil
}

func (h *Handler) product(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, err := h.lookup(ctx, r.PathValue("sku"))
	if err != nil {
		web.Fail(w, r, http.StatusBadGateway, err)
		return
	}
	_ = h.cache.Put(ctx, "recent:last-viewed", p.SKU, config.TTL("product")) // EXPECT kvhotkey
	web.JSON(w, http.StatusOK, p)
}

func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	key := kvstore.Key("gql:" + homeQuery) // EXPECT kvlimits
	raw, err := h.cache.Get(ctx, key)
	if err == nil && raw == kvstore.Missing {
		var body json.RawMessage
		if err = h.fetch(ctx, "/graphql?query="+url.QueryEscape(homeQuery), &body); err == nil {
			raw = string(body)
			err = h.cache.Put(ctx, key, raw, config.TTL("category"))
		}
	}
	if err != nil {
		web.Fail(w, r, http.StatusBadGateway, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, raw)
}

func (h *Handler) feature(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	key := featuredRoot.Child(r.PathValue("slug"))
	raw, err := h.cache.Get(ctx, key)
	var skus []string
	if err == nil && raw != kvstore.Missing {
		err = json.Unmarshal([]byte(raw), &skus)
	}
	if err != nil {
		web.Fail(w, r, http.StatusBadGateway, err)
		return
	}
	if sku := r.PathValue("sku"); !slices.Contains(skus, sku) {
		skus = append(skus, sku)
	}
	b, _ := json.Marshal(skus)
	if err := h.cache.Put(ctx, key, string(b), 0); err != nil { // EXPECT kvrace
		web.Fail(w, r, http.StatusBadGateway, err)
		return
	}
	web.JSON(w, http.StatusOK, skus)
}

func (h *Handler) createCollection(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var c Collection
	if err := json.NewDecoder(r.Body).Decode(&c); err != nil || c.Slug == "" {
		web.JSON(w, http.StatusBadRequest, map[string]string{"error": "slug required"})
		return
	}
	key := collectionRoot.Child(strings.ToLower(c.Slug))
	if existing, err := h.cache.Get(ctx, key); err != nil || existing != kvstore.Missing {
		web.Fail(w, r, http.StatusConflict, err)
		return
	}
	c.Created = time.Now().UTC()
	if err := kvstore.Save(ctx, h.cache, key, c, kvstore.JSON[Collection]{}, 0); err != nil { // EXPECT kvrace
		web.Fail(w, r, http.StatusBadGateway, err)
		return
	}
	web.JSON(w, http.StatusCreated, c)
}
