package handlers

import (
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/shop/config"
	"example.com/shop/internal/store"
)

// Catalog serves product data from KV, falling back to D1.
type Catalog struct{}

func (Catalog) open() (*kv.Namespace, *sql.DB, error) {
	ns, err := kv.NewNamespace(config.CatalogKV)
	if err != nil {
		return nil, nil, err
	}
	db, err := store.Open()
	if err != nil {
		return nil, nil, err
	}
	return ns, db, nil
}

func (c Catalog) Product(w http.ResponseWriter, r *http.Request) {
	sku := r.PathValue("sku")
	ns, db, err := c.open()
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	key := config.ProductPrefix + sku
	if v, err := ns.GetString(key, &kv.GetOptions{CacheTTL: config.EdgeCacheTTL}); err == nil && v != "<null>" {
		writeRaw(w, v)
		return
	}

	var p store.Product
	err = db.QueryRowContext(r.Context(),
		`SELECT sku, name, price_cents, category FROM products WHERE sku = ?`, sku).
		Scan(&p.SKU, &p.Name, &p.PriceCts, &p.Category)
	if errors.Is(err, sql.ErrNoRows) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	b, _ := json.Marshal(p)
	if err := ns.PutString(key, string(b), &kv.PutOptions{ExpirationTTL: config.ProductCacheTTL}); err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	writeRaw(w, string(b))
}

func (c Catalog) Category(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	ns, db, err := c.open()
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	key := config.CategoryPrefix + slug
	cached, err := ns.GetString(key, nil)
	if err != nil {
		fail(w, http.StatusBadGateway, err)
		return
	}
	if cached != "<null>" {
		writeRaw(w, cached)
		return
	}

	rows, err := db.QueryContext(r.Context(),
		`SELECT sku, name, price_cents, category FROM products WHERE category = ? ORDER BY name LIMIT 200`, slug)
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	defer rows.Close()
	products := []store.Product{}
	for rows.Next() {
		var p store.Product
		if err := rows.Scan(&p.SKU, &p.Name, &p.PriceCts, &p.Category); err != nil {
			fail(w, http.StatusInternalServerError, err)
			return
		}
		products = append(products, p)
	}
	b, err := json.Marshal(products)
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}

	opts := &kv.PutOptions{}
	opts.ExpirationTTL = config.CategoryCacheTTL
	if err := ns.PutString(key, string(b), opts); err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	writeRaw(w, string(b))
}

// Stock is polled by the product page while the customer looks at it.
func (c Catalog) Stock(w http.ResponseWriter, r *http.Request) {
	sku := r.PathValue("sku")
	ns, db, err := c.open()
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	key := config.StockPrefix + sku
	v, err := ns.GetString(key, &kv.GetOptions{
		CacheTTL: 10, // EXPECT kvttl
	})
	if err == nil && v != "<null>" {
		writeRaw(w, `{"in_stock":`+v+`}`)
		return
	}

	var qty int
	if err := db.QueryRowContext(r.Context(), `SELECT qty FROM stock WHERE sku = ?`, sku).Scan(&qty); err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	err = ns.PutString(key, strconv.Itoa(qty), &kv.PutOptions{
		ExpirationTTL: int(config.StockCacheFor), // EXPECT kvttl
	})
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"in_stock": qty})
}

// Invalidate is called by the back office after a product row changes.
func (c Catalog) Invalidate(w http.ResponseWriter, r *http.Request) {
	ns, err := kv.NewNamespace(config.CatalogKV)
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	sku := r.PathValue("sku")
	for _, k := range []string{config.ProductPrefix + sku, config.StockPrefix + sku} {
		if err := ns.Delete(k); err != nil {
			fail(w, http.StatusInternalServerError, err)
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}
