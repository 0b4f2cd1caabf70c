package main

import (
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// status reports whether the site is paused, and records the last visit.
func status(w http.ResponseWriter, r *http.Request) {
	ns, err := kv.NewNamespace("CACHE")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	// kvnull: a missing key reads as "<null>", never "".
	paused, err := ns.GetString("paused", nil)
	if err != nil || paused == "" {
		paused = "no"
	}
	// kvhotkey: one key written on every request; KV takes one write a second.
	ns.PutString("last-visit", time.Now().UTC().Format(time.RFC3339), nil)
	w.Write([]byte(paused))
}
