//go:build js && wasm

// Package edge is the customer-facing Worker: order status and tracking
// pages, carts and sign-in, and the menu pages. KV serves what the backend
// publishes; D1 holds stock and orders.
package edge

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/http"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/d1"
)

const (
	kvBinding = "FLEET_KV"
	dbBinding = "DB"
	nullValue = "<null>" // how a missing KV value comes back through GetString
)

// Routes returns the Worker's HTTP routes.
func Routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /o/{orderId}/status", orderStatus)
	mux.HandleFunc("GET /o/{orderId}", trackingPage)
	mux.HandleFunc("POST /hooks/orders/{orderId}", orderWebhook)
	mux.HandleFunc("POST /cart/items", addToCart)
	mux.HandleFunc("POST /cart/checkout", checkout)
	mux.HandleFunc("GET /magic/{token}", redeemMagicLink)
	mux.HandleFunc("POST /logout", logout)
	mux.HandleFunc("GET /m/{restaurantId}", menuPage)
	mux.HandleFunc("GET /m/{restaurantId}/card", restaurantCard)
	mux.HandleFunc("GET /search", search)
	return mux
}

func kv() (*cloudflare.KVNamespace, error) { return cloudflare.NewKVNamespace(kvBinding) }

func db() (*sql.DB, error) {
	c, err := d1.OpenConnector(dbBinding)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(c), nil
}

// lookup reads a text value and reports whether the key exists.
func lookup(ns *cloudflare.KVNamespace, key string, opts *cloudflare.KVNamespaceGetOptions) (string, bool, error) {
	v, err := ns.GetString(key, opts)
	if err != nil {
		return "", false, err
	}
	if v == nullValue {
		return "", false, nil
	}
	return v, true, nil
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func fail(w http.ResponseWriter, err error) {
	http.Error(w, err.Error(), http.StatusBadGateway)
}
