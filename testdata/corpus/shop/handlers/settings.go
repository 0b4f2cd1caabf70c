package handlers

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/shop/config"
)

// CheckoutSettings is read by the checkout page on every load.
type CheckoutSettings struct {
	FreeShippingOverCents int      `json:"free_shipping_over_cents"`
	GiftWrap              bool     `json:"gift_wrap"`
	Countries             []string `json:"countries"`
}

const checkoutSettingsKey = "settings:checkout"

func (Admin) UpdateCheckout(w http.ResponseWriter, r *http.Request) {
	ns, err := kv.NewNamespace(config.ShopKV)
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}

	update := func(change func(*CheckoutSettings)) error {
		var s CheckoutSettings
		raw, err := ns.GetString(checkoutSettingsKey, nil)
		if err != nil {
			return err
		}
		if raw != "<null>" {
			if err := json.Unmarshal([]byte(raw), &s); err != nil {
				return err
			}
		}
		change(&s)
		b, err := json.Marshal(s)
		if err != nil {
			return err
		}
		return ns.PutString(checkoutSettingsKey, string(b), nil) // EXPECT kvrace
	}

	q := r.URL.Query()
	if v := q.Get("free_shipping_over"); v != "" {
		cents, err := strconv.Atoi(v)
		if err != nil {
			http.Error(w, "bad amount", http.StatusBadRequest)
			return
		}
		if err := update(func(s *CheckoutSettings) { s.FreeShippingOverCents = cents }); err != nil {
			fail(w, http.StatusInternalServerError, err)
			return
		}
	}
	if c := q.Get("add_country"); c != "" {
		if err := update(func(s *CheckoutSettings) { s.Countries = append(s.Countries, c) }); err != nil {
			fail(w, http.StatusInternalServerError, err)
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// CheckoutConfig is the public read side.
func (Checkout) Config(w http.ResponseWriter, r *http.Request) {
	ns, err := kv.NewNamespace(config.ShopKV)
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	v, err := ns.GetString(checkoutSettingsKey, &kv.GetOptions{CacheTTL: config.MinKVTTL * 5})
	if err != nil || v == "<null>" {
		writeRaw(w, "{}")
		return
	}
	writeRaw(w, v)
}
