//go:build js && wasm

package edge

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"brambling/internal/codec"
	"brambling/internal/keys"
)

const cartCookie = "bramble_cart"

// Line is one kit in a cart.
type Line struct {
	Kit      string
	Servings int
	Qty      int
}

// Cart is stored gob-encoded and base64'd under cart/<id>.
type Cart struct {
	ID       string
	Lines    []Line
	Postcode string
	Created  int64
}

func encodeCart(c Cart) (string, error) {
	b, err := codec.Gob(c)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

func decodeCart(s string) (Cart, error) {
	var c Cart
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return c, err
	}
	return c, codec.Ungob(b, &c)
}

func (a *API) cart(w http.ResponseWriter, r *http.Request, rest string) {
	switch r.Method + " " + rest {
	case "GET ":
		if c, ok := a.loadCart(r); ok {
			json.NewEncoder(w).Encode(c)
			return
		}
		http.NotFound(w, r)
	case "POST ":
		a.newCart(w)
	case "POST items":
		a.addItem(w, r)
	case "POST checkout":
		a.checkout(w, r)
	case "GET suggestions":
		a.suggestions(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (a *API) loadCart(r *http.Request) (Cart, bool) {
	ck, err := r.Cookie(cartCookie)
	if err != nil {
		return Cart{}, false
	}
	raw, ok, err := a.sessions.Get(keys.Cart(ck.Value), 0)
	if err != nil || !ok {
		return Cart{}, false
	}
	c, err := decodeCart(raw)
	return c, err == nil
}

func (a *API) newCart(w http.ResponseWriter) {
	c := Cart{ID: randomID(), Created: time.Now().Unix()}
	enc, err := encodeCart(c)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	err = a.sessions.ns.PutString(keys.Cart(c.ID), enc, &kv.PutOptions{
		ExpirationTTL: int(a.cartTTL), // EXPECT kvttl
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: cartCookie, Value: c.ID, Path: "/", HttpOnly: true, Secure: true})
	w.WriteHeader(http.StatusCreated)
}

func (a *API) addItem(w http.ResponseWriter, r *http.Request) {
	c, ok := a.loadCart(r)
	if !ok {
		http.Error(w, "no cart", http.StatusNotFound)
		return
	}
	qty, err := strconv.Atoi(r.FormValue("qty"))
	if err != nil || qty < 1 {
		qty = 1
	}
	servings, _ := strconv.Atoi(r.FormValue("servings"))
	c.Lines = append(c.Lines, Line{Kit: r.FormValue("kit"), Servings: max(servings, 2), Qty: qty})
	enc, err := encodeCart(c)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if err := a.sessions.Put(keys.Cart(c.ID), enc, a.cartTTL); err != nil { // EXPECT kvsession|kvrace
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	json.NewEncoder(w).Encode(c)
}

// Order is the immutable record the origin picks up from KV.
type Order struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Lines []Line `json:"lines"`
	At    int64  `json:"at"`
}

func (a *API) checkout(w http.ResponseWriter, r *http.Request) {
	sess, ok := a.current(r)
	if !ok {
		http.Error(w, "sign in first", http.StatusUnauthorized)
		return
	}
	c, ok := a.loadCart(r)
	if !ok || len(c.Lines) == 0 {
		http.Error(w, "cart is empty", http.StatusBadRequest)
		return
	}
	o := Order{ID: randomID(), Email: sess.Email, Lines: c.Lines, At: time.Now().Unix()}
	b, _ := json.Marshal(o)
	if err := a.ops.Put("order/"+o.ID, string(b), 90*24*time.Hour); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	_ = a.ops.Put(keys.LastOrder, o.ID, 0) // EXPECT kvhotkey
	_ = a.sessions.Delete(keys.Cart(c.ID)) // DEBATABLE kvsession
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	w.Write(b)
}

// suggestions returns the kits popular in the cart's postcode area.
func (a *API) suggestions(w http.ResponseWriter, r *http.Request) {
	c, _ := a.loadCart(r)
	area := c.Postcode
	if len(area) > 3 {
		area = area[:3]
	}
	raw, _ := a.catalog.ns.GetString("reco/area/"+area, &kv.GetOptions{CacheTTL: 3600}) // EXPECT kvnull
	var kits []string
	if err := json.Unmarshal([]byte(raw), &kits); err != nil {
		http.Error(w, "no suggestions", http.StatusServiceUnavailable)
		return
	}
	json.NewEncoder(w).Encode(kits)
}
