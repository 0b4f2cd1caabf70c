package handlers

import (
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

const thumbLifetime = 6 * time.Hour

// StoreThumb caches a generated thumbnail.
func StoreThumb(w http.ResponseWriter, r *http.Request, png []byte) {
	ns, err := kv.NewNamespace("THUMBS")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	id := r.PathValue("id")
	_ = ns.PutString("thumb:"+id, string(png), &kv.PutOptions{
		ExpirationTTL: int(thumbLifetime.Milliseconds()), // EXPECT kvttl
	})
	_ = ns.PutString("thumb-meta:"+id, r.Header.Get("Content-Type"), &kv.PutOptions{
		ExpirationTTL: int(thumbLifetime.Milliseconds() / 1000),
	})
	_ = ns.PutString("thumb-etag:"+id, r.Header.Get("ETag"), &kv.PutOptions{ExpirationTTL: 2 * 30})
	_ = ns.PutString("thumb-lock:"+id, "1", &kv.PutOptions{ExpirationTTL: 5 * 10}) // EXPECT kvttl
}
