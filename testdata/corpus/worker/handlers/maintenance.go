package handlers

import (
	"net/http"

	"github.com/syumai/workers/cloudflare/kv"

	"kvlint.test/corpus/worker/config"
)

// StartMaintenance puts the site in maintenance mode for a short while.
func StartMaintenance(w http.ResponseWriter, r *http.Request) {
	ns, err := kv.NewNamespace("CONFIG")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	put := ns.PutString
	if err := put("maintenance", "on", &kv.PutOptions{ExpirationTTL: 10}); err != nil { // EXPECT kvttl
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

// CacheReport caches a report; paying customers get a longer cache.
func CacheReport(w http.ResponseWriter, r *http.Request, premium bool, report string) {
	ns, _ := kv.NewNamespace("REPORTS")
	opts := &kv.PutOptions{}
	if premium {
		opts.ExpirationTTL = 3600
	} else {
		opts.ExpirationTTL = 20 // EXPECT kvttl
	}
	_ = ns.PutString("report:"+r.PathValue("id"), report, opts)
}

// CacheExport is the same with a TTL that respects the minimum.
func CacheExport(w http.ResponseWriter, r *http.Request, large bool, export string) {
	ns, _ := kv.NewNamespace("REPORTS")
	var opts kv.PutOptions
	opts.ExpirationTTL = config.MinKVTTL
	if large {
		opts.ExpirationTTL = 10 * config.MinKVTTL
	}
	_ = ns.PutString("export:"+r.PathValue("id"), export, &opts)
}
