package kvhotkey

import (
	"net/http"
	"time"

	"kvlint.test/cfv0119/kvhotkey/pairs"
)

// routes registers handlers that write entries through another
// package's adapter, whose single write is a bulk write of one pair.
func routes(mux *http.ServeMux, kv *pairs.Store) { // want routes:"kvhotkey"
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		_ = kv.Put(r.Context(), pairs.Entry{Key: "health:api", Value: []byte(time.Now().UTC().Format(time.RFC3339))}) // want `this handler writes the same KV key on every request`
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("/clients/version", func(w http.ResponseWriter, r *http.Request) {
		_ = kv.Put(r.Context(), pairs.Entry{Key: "clients:newest-build", Value: []byte(r.Header.Get("X-Build"))}) // want `this handler writes the same KV key on every request`
	})
	// Quiet: each upload under its own key.
	mux.HandleFunc("/uploads", func(w http.ResponseWriter, r *http.Request) {
		_ = kv.Put(r.Context(), pairs.Entry{Key: "upload:" + r.FormValue("id"), Value: []byte("1"), TTL: 3600})
	})
	// Quiet: a setting changes when an operator acts, not on every request.
	mux.HandleFunc("/banner", func(w http.ResponseWriter, r *http.Request) {
		_ = kv.Put(r.Context(), pairs.Entry{Key: "settings:banner", Value: []byte(r.FormValue("text"))})
	})
	// Quiet: the entries of one request, in one bulk write.
	mux.HandleFunc("/import", func(w http.ResponseWriter, r *http.Request) {
		es := []pairs.Entry{{Key: "import:" + r.FormValue("a")}, {Key: "import:" + r.FormValue("b")}}
		_ = kv.PutAll(r.Context(), es)
		_ = kv.Put(r.Context(), es[0])
	})
}
