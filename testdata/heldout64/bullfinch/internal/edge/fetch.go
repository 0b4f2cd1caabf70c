//go:build js && wasm

package edge

import (
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
)

const (
	shopCacheTTL   = 300
	flagCacheTime  = 20 * time.Second
	rateWindow     = 30
	requestsPerWin = 120
)

// Shop is the storefront configuration the edge needs per host.
type Shop struct {
	ID       string            `json:"id"`
	Origin   string            `json:"origin"`
	Theme    string            `json:"theme"`
	Settings map[string]string `json:"settings"`
}

// Cart is the visitor's cart, keyed by the cart cookie.
type Cart struct {
	Items   []CartItem `json:"items"`
	Updated time.Time  `json:"updated"`
}

// CartItem is one line of a cart.
type CartItem struct {
	SKU string `json:"sku"`
	Qty int    `json:"qty"`
}

// Handler is the Worker's fetch handler.
type Handler struct {
	env *Env
}

// NewHandler returns the fetch handler.
func NewHandler(env *Env) *Handler { return &Handler{env: env} }

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	host := strings.ToLower(r.Host)
	if err := h.limit(r); err != nil {
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	}
	_ = h.env.Stats.PutString("edge:last-request", time.Now().UTC().Format(time.RFC3339), nil) // EXPECT kvhotkey
	switch {
	case r.URL.Path == "/_bf/flags":
		h.flags(w, r)
	case r.URL.Path == "/_bf/cart" && r.Method == http.MethodPost:
		h.addToCart(w, r)
	case r.URL.Path == "/_bf/config":
		h.config(w, host)
	default:
		h.storefront(w, r, host)
	}
}

// limit applies a per-IP request budget.
func (h *Handler) limit(r *http.Request) error {
	ip, _, _ := net.SplitHostPort(r.RemoteAddr)
	if cf := r.Header.Get("CF-Connecting-IP"); cf != "" {
		ip = cf
	}
	window := time.Now().Unix() / rateWindow
	key := "rl:" + ip + ":" + strconv.FormatInt(window, 10)
	v, _ := h.env.Stats.GetString(key, nil) // EXPECT kvnull
	n, _ := strconv.Atoi(v)
	if n >= requestsPerWin {
		return errRateLimited
	}
	return h.env.Stats.PutString(key, strconv.Itoa(n+1), &cloudflare.KVNamespacePutOptions{ // EXPECT kvcounter
		ExpirationTTL: rateWindow, // EXPECT kvttl
	})
}

type edgeError string

func (e edgeError) Error() string { return string(e) }

const errRateLimited = edgeError("rate limited")

func (h *Handler) shop(host string) (*Shop, error) {
	v, err := h.env.Shops.GetString("host:"+host, &cloudflare.KVNamespaceGetOptions{CacheTTL: shopCacheTTL})
	if err != nil {
		return nil, err
	}
	if v == "" { // EXPECT kvnull
		return nil, nil
	}
	var s Shop
	if err := json.Unmarshal([]byte(v), &s); err != nil {
		return nil, err
	}
	return &s, nil
}

func (h *Handler) storefront(w http.ResponseWriter, r *http.Request, host string) {
	s, err := h.shop(host)
	if err != nil || s == nil {
		http.NotFound(w, r)
		return
	}
	day := time.Now().UTC().Format("2006-01-02")
	if _, err := bump(h.env.Stats, "views:"+s.ID+":"+day, 48*time.Hour); err != nil {
		w.Header().Set("X-Bf-Stats", "degraded")
	}
	w.Header().Set("X-Bf-Shop", s.ID)
	w.Header().Set("Location", s.Origin+r.URL.RequestURI())
	w.WriteHeader(http.StatusTemporaryRedirect)
}

func (h *Handler) config(w http.ResponseWriter, host string) {
	v, err := h.env.Shops.GetString("settings:"+host, &cloudflare.KVNamespaceGetOptions{CacheTTL: shopCacheTTL}) // EXPECT kvnull
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	var settings map[string]string
	if err := json.Unmarshal([]byte(v), &settings); err != nil {
		http.Error(w, "bad settings", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(settings)
}

// flags returns the flags the storefront asked for, read with a short edge
// cache so rollouts move quickly.
func (h *Handler) flags(w http.ResponseWriter, r *http.Request) {
	out := map[string]json.RawMessage{}
	for _, name := range strings.Split(r.URL.Query().Get("names"), ",") {
		if name == "" {
			continue
		}
		v, ok, err := lookup(h.env.Flags, "flag:"+name,
			int(flagCacheTime.Seconds())) // EXPECT kvttl
		if err != nil || !ok {
			continue
		}
		out[name] = json.RawMessage(v)
	}
	manifest, ok, _ := lookup(h.env.Flags, "flags:manifest", 600)
	if ok {
		w.Header().Set("X-Bf-Manifest-Size", strconv.Itoa(len(manifest)))
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

func (h *Handler) addToCart(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie("bf_cart")
	if err != nil {
		http.Error(w, "no cart", http.StatusBadRequest)
		return
	}
	var item CartItem
	if err := json.NewDecoder(r.Body).Decode(&item); err != nil {
		http.Error(w, "bad item", http.StatusBadRequest)
		return
	}
	var cart Cart
	if v, ok, err := lookup(h.env.Shops, "cart:"+c.Value, 0); err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	} else if ok {
		_ = json.Unmarshal([]byte(v), &cart)
	}
	cart.Items = append(cart.Items, item)
	cart.Updated = time.Now().UTC()
	if err := putJSON(h.env.Shops, "cart:"+c.Value, cart, 7*24*time.Hour); err != nil { // EXPECT kvsession|kvrace
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
