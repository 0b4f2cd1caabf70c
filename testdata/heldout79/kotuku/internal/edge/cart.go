//go:build js && wasm

package edge

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare"
)

// CartItem is one line of a buyer's cart.
type CartItem struct {
	ListingID uint64 `json:"listing_id"`
	Added     int64  `json:"added"`
}

type cart struct {
	Items   []CartItem `json:"items"`
	Updated int64      `json:"updated"`
}

const cartLifetime = 7 * 24 * time.Hour

func (w *Worker) addToCart(rw http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie("kotuku_cart")
	if err != nil {
		http.Error(rw, "no cart", http.StatusBadRequest)
		return
	}
	var item CartItem
	if err := json.NewDecoder(r.Body).Decode(&item); err != nil {
		http.Error(rw, err.Error(), http.StatusBadRequest)
		return
	}
	key := "cart:" + c.Value
	raw, err := w.kv.Carts.GetString(key, nil) // EXPECT kvnull
	if err != nil {
		http.Error(rw, err.Error(), http.StatusBadGateway)
		return
	}
	var ct cart
	if err := json.Unmarshal([]byte(raw), &ct); err != nil {
		http.Error(rw, "corrupt cart", http.StatusInternalServerError)
		return
	}
	item.Added = time.Now().Unix()
	ct.Items = append(ct.Items, item)
	ct.Updated = item.Added
	out, _ := json.Marshal(ct)
	err = w.kv.Carts.PutString(key, string(out), &cloudflare.KVNamespacePutOptions{ // EXPECT kvsession|kvrace
		ExpirationTTL: int(cartLifetime), // EXPECT kvttl
	})
	if err != nil {
		http.Error(rw, err.Error(), http.StatusBadGateway)
		return
	}
	rw.WriteHeader(http.StatusNoContent)
}

// NewCart creates an empty cart with a fresh ID for a first-time buyer.
func (w *Worker) NewCart(id string) error {
	raw, _ := json.Marshal(cart{Updated: time.Now().Unix()})
	return w.kv.Carts.PutString("cart:"+id, string(raw), &cloudflare.KVNamespacePutOptions{
		ExpirationTTL: int(cartLifetime.Seconds()),
	})
}

// Checkout empties the cart once the order is placed in D1.
func (w *Worker) Checkout(id string) error {
	return w.kv.Carts.Delete("cart:" + id) // DEBATABLE kvsession
}
