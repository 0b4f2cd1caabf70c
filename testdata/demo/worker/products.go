package main

import (
	"log"
	"net/http"

	"github.com/syumai/workers/cloudflare/kv"
)

// handleProduct serves a product page's JSON. Prices change during flash
// sales, so both the edge read and the stored copy are kept short.
func handleProduct(w http.ResponseWriter, r *http.Request) {
	cache, err := kv.NewNamespace(cacheBinding)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	key := "product:" + r.PathValue("slug")

	cached, err := cache.GetString(key, &kv.GetOptions{CacheTTL: 10})
	if err == nil && cached != "<null>" {
		writeJSON(w, []byte(cached), "kv")
		return
	}

	body, _, err := fetchOrigin(r.Context(), "/api/products/"+r.PathValue("slug"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	// Cache for half a minute: long enough to absorb a burst of traffic,
	// short enough that a price change shows up quickly.
	if err := cache.PutString(key, string(body), &kv.PutOptions{ExpirationTTL: 30}); err != nil {
		log.Printf("caching %s: %v", key, err)
	}
	writeJSON(w, body, "origin")
}

// handleCategories serves the category tree, which merchandisers edit a
// few times a day.
func handleCategories(w http.ResponseWriter, r *http.Request) {
	cache, err := kv.NewNamespace(cacheBinding)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	const key = "categories:v2"

	cached, err := cache.GetString(key, &kv.GetOptions{CacheTTL: 120})
	if err == nil && cached != "<null>" {
		writeJSON(w, []byte(cached), "kv")
		return
	}

	body, _, err := fetchOrigin(r.Context(), "/api/categories")
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if err := cache.PutString(key, string(body), &kv.PutOptions{ExpirationTTL: 300}); err != nil {
		log.Printf("caching %s: %v", key, err)
	}
	writeJSON(w, body, "origin")
}
