//go:build js && wasm

package edge

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare"
)

const (
	cartCookie      = "fb_cart"
	sessionCookie   = "fb_sess"
	cartTTLSeconds  = 7 * 24 * 3600
	sessTTLSeconds  = 30 * 24 * 3600
	checkoutTTL     = 2 * 3600
	checkoutPerHour = 10
)

type cartItem struct {
	ItemID     string `json:"itemId"`
	Qty        int    `json:"qty"`
	PriceCents int    `json:"priceCents"`
}

type cart struct {
	ID        string     `json:"id"`
	Items     []cartItem `json:"items"`
	UpdatedAt time.Time  `json:"updatedAt"`
}

func cartID(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(cartCookie); err == nil && c.Value != "" {
		return c.Value
	}
	id := newID()
	http.SetCookie(w, &http.Cookie{Name: cartCookie, Value: id, Path: "/", HttpOnly: true, Secure: true, MaxAge: cartTTLSeconds})
	return id
}

// addToCart handles POST /cart/items.
func addToCart(w http.ResponseWriter, r *http.Request) {
	var item cartItem
	if err := json.NewDecoder(r.Body).Decode(&item); err != nil || item.Qty <= 0 {
		http.Error(w, "invalid item", http.StatusBadRequest)
		return
	}
	ns, err := kv()
	if err != nil {
		fail(w, err)
		return
	}
	id := cartID(w, r)
	raw, err := ns.GetString("cart:"+id, nil)
	if err != nil {
		fail(w, err)
		return
	}
	c := cart{ID: id}
	if raw == "" { // EXPECT kvnull
		c.Items = nil
	} else if err := json.Unmarshal([]byte(raw), &c); err != nil {
		log.Printf("cart %s unreadable, starting a new one: %v", id, err)
		c = cart{ID: id}
	}
	c.Items = append(c.Items, item)
	c.UpdatedAt = time.Now().UTC()
	out, _ := json.Marshal(c)
	if err := ns.PutString("cart:"+id, string(out), &cloudflare.KVNamespacePutOptions{ExpirationTTL: cartTTLSeconds}); err != nil { // EXPECT kvsession|kvrace
		fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(out)
}

// checkout reserves stock and creates the order in D1, then opens the
// checkout session the app polls while the backend charges the card.
func checkout(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ns, err := kv()
	if err != nil {
		fail(w, err)
		return
	}
	database, err := db()
	if err != nil {
		fail(w, err)
		return
	}
	customer := r.Header.Get("X-Customer-Id")
	if ok, err := allowCheckout(ctx, database, customer); err != nil || !ok {
		http.Error(w, "too many checkout attempts", http.StatusTooManyRequests)
		return
	}
	id := cartID(w, r)
	raw, ok, err := lookup(ns, "cart:"+id, nil)
	if err != nil || !ok {
		http.Error(w, "cart not found", http.StatusNotFound)
		return
	}
	var c cart
	if err := json.Unmarshal([]byte(raw), &c); err != nil {
		http.Error(w, "cart unreadable", http.StatusInternalServerError)
		return
	}
	total := 0
	for _, it := range c.Items {
		res, err := database.ExecContext(ctx, `UPDATE stock SET qty = qty - ? WHERE item_id = ? AND qty >= ?`, it.Qty, it.ItemID, it.Qty)
		if err != nil {
			fail(w, err)
			return
		}
		if n, _ := res.RowsAffected(); n == 0 {
			http.Error(w, "sold out: "+it.ItemID, http.StatusConflict)
			return
		}
		total += it.Qty * it.PriceCents
	}
	orderID := newID()
	if _, err := database.ExecContext(ctx, `INSERT INTO orders (id, customer_id, cart_id, total_cents, status) VALUES (?, ?, ?, ?, 'placed')`, orderID, customer, id, total); err != nil {
		fail(w, err)
		return
	}
	var status string
	if err := database.QueryRowContext(ctx, `SELECT status FROM orders WHERE id = ?`, orderID).Scan(&status); err != nil {
		fail(w, err)
		return
	}

	sessID := newID()
	sess, _ := json.Marshal(map[string]any{"id": sessID, "customerId": customer, "orderId": orderID, "status": "open", "totalCents": total})
	if err := ns.PutString("checkout:sess:"+sessID, string(sess), &cloudflare.KVNamespacePutOptions{ExpirationTTL: checkoutTTL}); err != nil {
		fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"orderId": orderID, "status": status, "checkoutSession": sessID})
}

// allowCheckout counts checkout attempts per customer and hour in D1.
func allowCheckout(ctx context.Context, database *sql.DB, customer string) (bool, error) {
	if customer == "" {
		return false, errors.New("no customer")
	}
	window := time.Now().UTC().Format("2006010215")
	var hits int
	err := database.QueryRowContext(ctx, `INSERT INTO checkout_attempts (customer_id, window, hits) VALUES (?, ?, 1)
		ON CONFLICT (customer_id, window) DO UPDATE SET hits = hits + 1 RETURNING hits`, customer, window).Scan(&hits)
	if err != nil {
		return false, err
	}
	return hits <= checkoutPerHour, nil
}

// redeemMagicLink signs a customer in from an emailed link.
func redeemMagicLink(w http.ResponseWriter, r *http.Request) {
	ns, err := kv()
	if err != nil {
		fail(w, err)
		return
	}
	key := "magic:" + r.PathValue("token")
	user, ok, err := lookup(ns, key, nil)
	if err != nil {
		fail(w, err)
		return
	}
	if !ok {
		http.Error(w, "link expired", http.StatusGone)
		return
	}
	if err := ns.Delete(key); err != nil { // EXPECT kvsession
		fail(w, err)
		return
	}
	sid := newID()
	if err := ns.PutString("sess:"+sid, user, &cloudflare.KVNamespacePutOptions{ExpirationTTL: sessTTLSeconds}); err != nil {
		fail(w, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sid, Path: "/", HttpOnly: true, Secure: true, MaxAge: sessTTLSeconds})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// logout handles POST /logout.
func logout(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	ns, err := kv()
	if err != nil {
		fail(w, err)
		return
	}
	if err := ns.Delete("sess:" + c.Value); err != nil { // EXPECT kvsession
		fail(w, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
