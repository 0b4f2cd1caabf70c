// Command guestbook keeps its entries in one KV key, through kvstore.
package main

import (
	"net/http"

	"github.com/syumai/workers"

	"kvlint.test/e2e/keys"
	"kvlint.test/e2e/kvstore"
)

func main() {
	http.HandleFunc("/sign", func(w http.ResponseWriter, r *http.Request) {
		store, err := kvstore.Open("GUESTBOOK")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		entries, err := store.Get("entries")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		// kvrace: two visitors signing at once lose one signature.
		if err := store.Set("entries", entries+r.FormValue("name")+"\n"); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Write([]byte("thanks"))
	})
	http.HandleFunc("/leave", func(w http.ResponseWriter, r *http.Request) {
		store, err := kvstore.Open("GUESTBOOK")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		// kvsession: the key is a session's, by the text of keys.Signer.
		if err := store.Delete(keys.Signer(r.FormValue("signer"))); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
	})
	workers.Serve(nil)
}
