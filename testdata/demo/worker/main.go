// Command worker is the storefront's edge Worker. It answers product,
// search and page requests from Workers KV where it can, falls back to the
// origin API when it cannot, and rate-limits the search endpoint per client.
//
// Build it with GOOS=js GOARCH=wasm (see wrangler.toml).
package main

import (
	"net/http"

	"github.com/syumai/workers"
)

// cacheBinding is the KV namespace bound in wrangler.toml.
const cacheBinding = "CACHE"

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /products/{slug}", handleProduct)
	mux.HandleFunc("GET /categories", handleCategories)
	mux.Handle("GET /search", rateLimited(http.HandlerFunc(handleSearch)))
	mux.HandleFunc("GET /pages/{path...}", handlePage)
	mux.HandleFunc("GET /banner", handleBanner)
	mux.HandleFunc("POST /downloads", handleNewDownload)
	mux.HandleFunc("GET /downloads/{token}", handleDownload)
	mux.HandleFunc("POST /account/code", handleSendCode)
	mux.HandleFunc("POST /account/signin", handleRedeemCode)
	mux.HandleFunc("POST /account/logout", handleLogout)
	mux.HandleFunc("GET /admin/products", handleAdminProducts)
	mux.HandleFunc("GET /admin/pages", handleAdminPages)
	workers.Serve(maintenance(mux))
}
