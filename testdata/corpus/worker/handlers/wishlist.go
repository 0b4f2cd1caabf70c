package handlers

import (
	"net/http"
	"strings"

	"github.com/syumai/workers/cloudflare/kv"

	"kvlint.test/corpus/worker/kvstore"
)

// AddToWishlist adds a product to the comma-separated wishlist.
func AddToWishlist(w http.ResponseWriter, r *http.Request) {
	uid := r.Header.Get("X-User")
	sku := r.FormValue("sku")
	ns, err := kv.NewNamespace("WISHLISTS")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	err = kvstore.Update(ns, "wishlist:"+uid, func(old string) (string, error) {
		if old == "" {
			return sku, nil
		}
		for _, s := range strings.Split(old, ",") {
			if s == sku {
				return old, nil
			}
		}
		return old + "," + sku, nil
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}
