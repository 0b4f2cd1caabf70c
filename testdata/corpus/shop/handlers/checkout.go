package handlers

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/shop/config"
)

const maxCardAttempts = 4

type Checkout struct{}

type payRequest struct {
	OrderID     string `json:"order_id"`
	Fingerprint string `json:"card_fingerprint"`
	AmountCents int    `json:"amount_cents"`
}

// Pay guards the payment call against card testing: a fingerprint that keeps
// failing gets locked out for a while.
func (Checkout) Pay(w http.ResponseWriter, r *http.Request) {
	var req payRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ns, err := kv.NewNamespace(config.ShopKV)
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}

	ip := r.Header.Get("CF-Connecting-IP")
	if err := ns.PutString("lastseen:"+ip, strconv.FormatInt(time.Now().Unix(), 10), &kv.PutOptions{
		ExpirationTTL: 60 * 60 * 24,
	}); err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}

	akey := "attempts:" + req.Fingerprint
	v, err := ns.GetString(akey, nil)
	if err != nil {
		fail(w, http.StatusBadGateway, err)
		return
	}
	attempts := 0
	if v != "<null>" {
		attempts, _ = strconv.Atoi(v)
	}
	if attempts >= maxCardAttempts {
		http.Error(w, "too many attempts", http.StatusTooManyRequests)
		return
	}

	ok := charge(req)
	if !ok {
		opts := new(kv.PutOptions)
		opts.ExpirationTTL = int(config.CheckoutWindow.Milliseconds())             // EXPECT kvttl
		if err := ns.PutString(akey, strconv.Itoa(attempts+1), opts); err != nil { // EXPECT kvcounter
			fail(w, http.StatusInternalServerError, err)
			return
		}
		http.Error(w, "payment declined", http.StatusPaymentRequired)
		return
	}

	receipt, _ := json.Marshal(map[string]any{"order": req.OrderID, "paid": req.AmountCents})
	err = ns.PutString("receipt:"+req.OrderID, string(receipt), &kv.PutOptions{
		ExpirationTTL: int(time.Minute / time.Second),
	})
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	writeRaw(w, string(receipt))
}

// charge calls the payment provider; stubbed here.
func charge(req payRequest) bool { return req.AmountCents > 0 }
