package guest

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"marten/internal/kvstore"
)

// CartItem is an upsell the guest picked before arrival (breakfast, late
// check-out, parking).
type CartItem struct {
	SKU      string `json:"sku"`
	Qty      int    `json:"qty"`
	PriceMin int64  `json:"price_minor"`
}

// Cart is the pre-arrival upsell cart of one reservation.
type Cart struct {
	Items   []CartItem `json:"items"`
	Updated time.Time  `json:"updated"`
}

// CartHandler serves the pre-arrival app.
type CartHandler struct {
	KV *kvstore.Store
}

func cartKey(resID string) string { return "guest/cart/" + resID }

// Add handles POST /guest/cart/{res}.
func (h *CartHandler) Add(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	resID := r.PathValue("res")
	var item CartItem
	if err := json.NewDecoder(r.Body).Decode(&item); err != nil || item.Qty <= 0 {
		http.Error(w, "bad item", http.StatusBadRequest)
		return
	}
	var cart Cart
	raw, found, err := h.KV.Lookup(ctx, cartKey(resID))
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	if found {
		if err := json.Unmarshal(raw, &cart); err != nil {
			http.Error(w, "corrupt cart", http.StatusInternalServerError)
			return
		}
	}
	cart.Items = append(cart.Items, item)
	cart.Updated = time.Now()
	out, _ := json.Marshal(cart)
	if err := h.KV.PutTTL(ctx, cartKey(resID), out, 14*24*time.Hour); err != nil { // EXPECT kvsession|kvrace
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Checkout moves the cart to the folio at arrival and clears it.
func (h *CartHandler) Checkout(ctx context.Context, resID string, post func(CartItem) error) error {
	raw, found, err := h.KV.Lookup(ctx, cartKey(resID))
	if err != nil || !found {
		return err
	}
	var cart Cart
	if err := json.Unmarshal(raw, &cart); err != nil {
		return err
	}
	for _, it := range cart.Items {
		if err := post(it); err != nil {
			return err
		}
	}
	return h.KV.Delete(ctx, cartKey(resID)) // DEBATABLE kvsession
}
