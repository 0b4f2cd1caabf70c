//go:build js && wasm

package edge

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

const maxCouponAttempts = 20

type offer struct {
	Code       string    `json:"code"`
	Title      string    `json:"title"`
	PercentOff int       `json:"percent_off"`
	Ends       time.Time `json:"ends"`
}

// checkCoupon answers GET /coupon?code=X&cart=Y so the cart page can show
// the discount before checkout.
func (h *Handler) checkCoupon(w http.ResponseWriter, r *http.Request) {
	code := strings.ToUpper(strings.TrimSpace(r.URL.Query().Get("code")))
	cart := r.URL.Query().Get("cart")
	if code == "" {
		http.Error(w, "missing code", http.StatusBadRequest)
		return
	}

	ip := r.Header.Get("CF-Connecting-IP")
	attemptsKey := "coupon-attempts:" + ip
	raw, err := h.kv.GetString(attemptsKey, nil) // EXPECT kvnull
	if err != nil {
		http.Error(w, "kv unavailable", http.StatusBadGateway)
		return
	}
	n, _ := strconv.Atoi(raw)
	if n >= maxCouponAttempts {
		http.Error(w, "too many attempts", http.StatusTooManyRequests)
		return
	}
	_ = h.kv.PutString(attemptsKey, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: 600}) // EXPECT kvcounter|kvrace

	def, ok, err := getString(h.kv, "coupon-def:"+code, 300)
	if err != nil {
		http.Error(w, "kv unavailable", http.StatusBadGateway)
		return
	}
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown code"})
		return
	}
	var o offer
	if err := json.Unmarshal([]byte(def), &o); err != nil || time.Now().After(o.Ends) {
		writeJSON(w, http.StatusGone, map[string]string{"error": "expired"})
		return
	}
	if cart != "" {
		_ = h.kv.PutString("coupon-pending:"+cart, code, &kv.PutOptions{
			Expiration: int(time.Now().Add(time.Hour).UnixMilli()), // EXPECT kvttl
		})
	}
	writeJSON(w, http.StatusOK, o)
}

// offers lists the live offers for the promotions banner.
func (h *Handler) offers(w http.ResponseWriter, r *http.Request) {
	res, err := h.kv.List(&kv.ListOptions{ // EXPECT kvlist
		Prefix: "offer:",
		Limit:  2000, // EXPECT kvlimits
	})
	if err != nil {
		http.Error(w, "kv unavailable", http.StatusBadGateway)
		return
	}
	codes := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		codes = append(codes, strings.TrimPrefix(k.Name, "offer:"))
	}
	writeJSON(w, http.StatusOK, map[string]any{"codes": codes})
}

// featured is refreshed by the cron trigger and read by the banner.
const featuredKey = "featured-offers"

// preview lets merchandisers open an unpublished offer page once with a
// link token minted by the back office.
func (h *Handler) preview(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("token")
	if tok == "" {
		http.Error(w, "missing token", http.StatusBadRequest)
		return
	}
	code, ok, err := getString(h.kv, "preview-token:"+tok, 60)
	if err != nil {
		http.Error(w, "kv unavailable", http.StatusBadGateway)
		return
	}
	if !ok {
		http.Error(w, "link expired", http.StatusGone)
		return
	}
	if err := h.kv.Delete("preview-token:" + tok); err != nil { // EXPECT kvsession
		http.Error(w, "kv unavailable", http.StatusBadGateway)
		return
	}
	def, ok, err := getString(h.kv, "coupon-def:"+code, 60)
	if err != nil || !ok {
		http.Error(w, "offer not found", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(def))
}
