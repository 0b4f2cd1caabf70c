package main

import (
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"strings"

	"example.com/garganey/internal/analytics"
	"example.com/garganey/internal/episodes"
	"example.com/garganey/internal/feedtokens"
	"example.com/garganey/internal/kvstore"
	"example.com/garganey/internal/route"
	"example.com/garganey/internal/sponsors"
)

// apiMux serves the internal API that the origin and the edge call.
func apiMux(feeds kvstore.Store, stores *route.Stores, rec *analytics.Recorder, eps *episodes.Store, tokens *feedtokens.Tokens, sponsorStore kvstore.Store) http.Handler {
	decode := func(w http.ResponseWriter, r *http.Request, v any) bool {
		if err := json.NewDecoder(r.Body).Decode(v); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return false
		}
		return true
	}
	fail := func(w http.ResponseWriter, err error) {
		log.Printf("sync: %s", err)
		http.Error(w, err.Error(), http.StatusBadGateway)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("POST /ingest/downloads", func(w http.ResponseWriter, r *http.Request) {
		var batch []analytics.Download
		if !decode(w, r, &batch) {
			return
		}
		for _, dl := range batch {
			if res := rec.Record(r.Context(), dl); res.Err != nil {
				log.Printf("sync: record %s: %v", dl.Episode, res.Err)
			}
		}
		w.WriteHeader(http.StatusAccepted)
	})
	mux.HandleFunc("GET /stats/{network}/{episode}", func(w http.ResponseWriter, r *http.Request) {
		network, ep := r.PathValue("network"), r.PathValue("episode")
		st, err := stores.ForTenant(network)
		if err != nil {
			fail(w, err)
			return
		}
		views := analytics.NewShardedCounter(st, "views", viewShards).Total(r.Context(), ep)
		uniq := rec.Uniques(r.Context(), network, ep)
		if err := errors.Join(views.Err, uniq.Err); err != nil {
			fail(w, err)
			return
		}
		json.NewEncoder(w).Encode(map[string]int64{"downloads": views.Value, "listeners_today": int64(uniq.Value)})
	})
	mux.HandleFunc("POST /ingest/transcode/{episode}", func(w http.ResponseWriter, r *http.Request) {
		status := episodes.TranscodeStatus(r.FormValue("status"))
		if err := eps.SetTranscodeStatus(r.Context(), r.PathValue("episode"), status); err != nil {
			fail(w, err)
		}
	})
	mux.HandleFunc("POST /publish", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Episode episodes.Episode `json:"episode"`
			Slots   []sponsors.Slot  `json:"slots"`
		}
		if !decode(w, r, &req) {
			return
		}
		if err := eps.Publish(r.Context(), req.Episode); err != nil {
			fail(w, err)
			return
		}
		if err := sponsors.PublishInventory(r.Context(), sponsorStore, req.Episode.ID, req.Slots); err != nil {
			fail(w, err)
		}
	})
	mux.HandleFunc("POST /import/{job}", func(w http.ResponseWriter, r *http.Request) {
		var items []episodes.Episode
		if !decode(w, r, &items) {
			return
		}
		if err := eps.Import(r.Context(), r.PathValue("job"), r.FormValue("show"), items); err != nil {
			fail(w, err)
		}
	})
	// A show's slug is its public URL (garganey.fm/<slug>).
	mux.HandleFunc("POST /shows/{slug}/claim", func(w http.ResponseWriter, r *http.Request) {
		key := "slug:" + strings.ToLower(r.PathValue("slug"))
		res := feeds.Get(r.Context(), key)
		if res.Err != nil {
			fail(w, res.Err)
			return
		}
		if res.Value.Found {
			http.Error(w, "slug is taken", http.StatusConflict)
			return
		}
		if err := feeds.Put(r.Context(), key, []byte(r.FormValue("show")), 0); err != nil { // EXPECT kvrace
			fail(w, err)
		}
	})
	mux.HandleFunc("POST /subscriptions", func(w http.ResponseWriter, r *http.Request) {
		var sub struct{ Show, Listener, Plan string }
		if !decode(w, r, &sub) {
			return
		}
		tok, err := tokens.Mint(r.Context(), sub.Show, sub.Listener, sub.Plan)
		if err != nil {
			fail(w, err)
			return
		}
		json.NewEncoder(w).Encode(map[string]string{"feed_url": "https://feeds.garganey.fm/p/" + tok + "/feed.xml"})
	})
	return mux
}
