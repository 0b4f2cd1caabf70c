package handlers

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/syumai/workers/cloudflare/kv"
)

type cartItem struct {
	SKU string `json:"sku"`
	Qty int    `json:"qty"`
}

// AddToCart appends an item to the user's cart.
func AddToCart(w http.ResponseWriter, r *http.Request) {
	uid := r.Header.Get("X-User")
	var item cartItem
	if err := json.NewDecoder(r.Body).Decode(&item); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	carts, err := kv.NewNamespace("CARTS")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	raw, err := carts.GetString(fmt.Sprintf("cart:%s", uid), nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var items []cartItem
	if raw != "<null>" {
		_ = json.Unmarshal([]byte(raw), &items)
	}
	merged := false
	for i := range items {
		if items[i].SKU == item.SKU {
			items[i].Qty += item.Qty
			merged = true
		}
	}
	if !merged {
		items = append(items, item)
	}
	out, _ := json.Marshal(items)
	if err := carts.PutString(fmt.Sprintf("cart:%s", uid), string(out), &kv.PutOptions{ // EXPECT kvrace|kvsession
		ExpirationTTL: 7 * 24 * 3600,
	}); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// ReplaceCart stores the cart the client sends, as a whole (the client is the
// source of truth; no read involved).
func ReplaceCart(w http.ResponseWriter, r *http.Request) {
	uid := r.Header.Get("X-User")
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var items []cartItem
	if err := json.Unmarshal(body, &items); err != nil {
		http.Error(w, "bad cart", http.StatusBadRequest)
		return
	}
	carts, _ := kv.NewNamespace("CARTS")
	out, _ := json.Marshal(items)
	_ = carts.PutString(fmt.Sprintf("cart:%s", uid), string(out), &kv.PutOptions{ExpirationTTL: 7 * 24 * 3600})
	w.WriteHeader(http.StatusNoContent)
}
