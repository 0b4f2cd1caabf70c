package handlers

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/shop/config"
	"example.com/shop/internal/kvstore"
)

type Coupon struct {
	Code       string `json:"code"`
	PercentOff int    `json:"percent_off"`
	Remaining  int    `json:"remaining"`
	ExpiresAt  int64  `json:"expires_at"`
}

type Coupons struct{}

// Create is the back-office endpoint that defines a coupon.
func (Coupons) Create(w http.ResponseWriter, r *http.Request) {
	var c Coupon
	if err := json.NewDecoder(r.Body).Decode(&c); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	c.Code = strings.ToUpper(strings.TrimSpace(c.Code))
	if c.Code == "" || c.PercentOff <= 0 || c.PercentOff > 90 {
		http.Error(w, "invalid coupon", http.StatusBadRequest)
		return
	}
	if c.ExpiresAt < time.Now().Add(time.Hour).Unix() {
		http.Error(w, "coupon must be valid for at least an hour", http.StatusBadRequest)
		return
	}
	ns, err := kv.NewNamespace(config.ShopKV)
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	b, _ := json.Marshal(c)
	if err := ns.PutString(config.CouponPrefix+c.Code, string(b), &kv.PutOptions{Expiration: int(c.ExpiresAt)}); err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	writeJSON(w, http.StatusCreated, c)
}

// Redeem is called from checkout when the order is placed.
func (Coupons) Redeem(w http.ResponseWriter, r *http.Request) {
	st, err := kvstore.Open(config.ShopKV)
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	key := config.CouponPrefix + strings.ToUpper(r.PathValue("code"))
	var c Coupon
	if err := st.GetJSON(key, &c); err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			http.Error(w, "unknown coupon", http.StatusNotFound)
			return
		}
		fail(w, http.StatusBadGateway, err)
		return
	}
	if c.Remaining <= 0 {
		http.Error(w, "coupon used up", http.StatusGone)
		return
	}
	c.Remaining--
	if err := st.PutJSON(key, c, 0); err != nil { // EXPECT kvcounter|kvrace
		fail(w, http.StatusInternalServerError, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// Hold reserves a code for a checkout while the customer pays.
func (Coupons) Hold(w http.ResponseWriter, r *http.Request) {
	st, err := kvstore.Open(config.ShopKV)
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	checkout := r.PathValue("checkout")
	code := strings.ToUpper(r.URL.Query().Get("code"))
	if err := st.Put("couponhold:"+checkout, code, config.CouponHold); err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (Coupons) Release(w http.ResponseWriter, r *http.Request) {
	st, err := kvstore.Open(config.ShopKV)
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	key := "couponhold:" + r.PathValue("checkout")
	code, err := st.Get(key)
	if errors.Is(err, kvstore.ErrNotFound) {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if err != nil {
		fail(w, http.StatusBadGateway, err)
		return
	}
	if err := st.Delete(key); err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"released": code})
}

// Flash publishes a code that the live stream shows on screen for a moment.
func (Coupons) Flash(w http.ResponseWriter, r *http.Request) {
	st, err := kvstore.Open(config.ShopKV)
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	code := strings.ToUpper(r.URL.Query().Get("code"))
	if err := st.Put("coupon:flash", code, 30*time.Second); err != nil { // EXPECT kvttl
		fail(w, http.StatusInternalServerError, err)
		return
	}
	teaser := `{"headline":"Flash sale starting!"}`
	if err := st.CacheFor("teaser:live", teaser, 15*time.Second); err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
