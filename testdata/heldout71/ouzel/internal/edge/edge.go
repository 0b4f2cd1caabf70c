//go:build js && wasm

// Package edge is the storefront Worker: the cart badge in the header and
// coupon checks on the product and cart pages, answered at the edge from the
// same KV namespace the origin writes.
package edge

import (
	"encoding/json"
	"net/http"

	"github.com/syumai/workers/cloudflare/kv"
)

// BindingName is the KV binding declared in wrangler.toml.
const BindingName = "CARTS"

// Handler serves the Worker's routes.
type Handler struct {
	kv  *kv.Namespace
	mux *http.ServeMux
}

// New binds the namespace and the routes.
func New() (*Handler, error) {
	ns, err := kv.NewNamespace(BindingName)
	if err != nil {
		return nil, err
	}
	h := &Handler{kv: ns, mux: http.NewServeMux()}
	h.mux.HandleFunc("GET /badge", h.badge)
	h.mux.HandleFunc("GET /coupon", h.checkCoupon)
	h.mux.HandleFunc("GET /offers", h.offers)
	h.mux.HandleFunc("GET /preview", h.preview)
	return h, nil
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// getString reads key and reports whether it exists. The runtime hands a
// JS null back as the string "<null>".
func getString(ns *kv.Namespace, key string, cacheTTL int) (string, bool, error) {
	v, err := ns.GetString(key, &kv.GetOptions{CacheTTL: cacheTTL})
	if err != nil {
		return "", false, err
	}
	if v == "<null>" {
		return "", false, nil
	}
	return v, true, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "private, no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
