package handlers

import (
	"net/http"
	"strconv"

	"github.com/syumai/workers/cloudflare/kv"
)

// Reserve takes one unit of stock for the checkout.
func Reserve(w http.ResponseWriter, r *http.Request) {
	sku := r.FormValue("sku")
	inv, err := kv.NewNamespace("INVENTORY")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	stockKey := "stock:" + sku
	s, err := inv.GetString(stockKey, nil)
	if err != nil || s == "<null>" {
		http.Error(w, "unknown sku", http.StatusNotFound)
		return
	}
	left, err := strconv.ParseInt(s, 10, 64)
	if err != nil || left <= 0 {
		http.Error(w, "sold out", http.StatusConflict)
		return
	}
	left--
	if err := inv.PutString(stockKey, strconv.FormatInt(left, 10), nil); err != nil { // EXPECT kvcounter
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// SetStock is the warehouse sync: it writes the authoritative number.
func SetStock(w http.ResponseWriter, r *http.Request) {
	sku := r.FormValue("sku")
	n, err := strconv.Atoi(r.FormValue("n"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	inv, _ := kv.NewNamespace("INVENTORY")
	_ = inv.PutString("stock:"+sku, strconv.Itoa(n), nil)
}
