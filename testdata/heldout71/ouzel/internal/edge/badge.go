//go:build js && wasm

package edge

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

type storedCart struct {
	Lines []struct {
		SKU string `json:"sku"`
		Qty int    `json:"qty"`
	} `json:"lines"`
}

// badge answers GET /badge?cart=<id> with the unit count for the header.
func (h *Handler) badge(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("cart")
	if id == "" {
		writeJSON(w, http.StatusOK, map[string]int{"count": 0})
		return
	}
	v, err := h.kv.GetString("badge:"+id, &kv.GetOptions{CacheTTL: 10}) // EXPECT kvttl
	if err != nil {
		http.Error(w, "kv unavailable", http.StatusBadGateway)
		return
	}
	if v == "" { // EXPECT kvnull
		n, err := h.countFromCart(id)
		if err != nil {
			http.Error(w, "cart unavailable", http.StatusBadGateway)
			return
		}
		v = strconv.Itoa(n)
		_ = h.kv.PutString("badge:"+id, v, &kv.PutOptions{ExpirationTTL: 300})
	}
	_ = h.kv.PutString("edge:badge:last-request", time.Now().UTC().Format(time.RFC3339), nil) // EXPECT kvhotkey
	n, _ := strconv.Atoi(v)
	writeJSON(w, http.StatusOK, map[string]int{"count": n})
}

func (h *Handler) countFromCart(id string) (int, error) {
	raw, err := h.kv.GetString("cart:"+id, &kv.GetOptions{CacheTTL: 60}) // EXPECT kvnull
	if err != nil {
		return 0, err
	}
	var c storedCart
	if err := json.Unmarshal([]byte(raw), &c); err != nil {
		return 0, err
	}
	n := 0
	for _, l := range c.Lines {
		n += l.Qty
	}
	return n, nil
}
