// Command worker is a Worker (github.com/syumai/workers, GOOS=js
// GOARCH=wasm only) that caches a greeting in KV.
package main

import (
	"net/http"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare/kv"
)

func main() {
	http.HandleFunc("/status", status)
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		ns, err := kv.NewNamespace("CACHE")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		// kvttl: KV rejects an ExpirationTTL below 60 seconds with HTTP 400.
		if err := ns.PutString("greeting:"+r.URL.Path, "hello", &kv.PutOptions{ExpirationTTL: 30}); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		// Look-alike that must stay quiet: 60 seconds is the minimum.
		if err := ns.PutString("farewell:"+r.URL.Path, "bye", &kv.PutOptions{ExpirationTTL: 60}); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Write([]byte("ok"))
	})
	workers.Serve(nil)
}
