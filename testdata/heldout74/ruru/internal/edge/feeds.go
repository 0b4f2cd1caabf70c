//go:build js && wasm

package edge

import (
	"encoding/json"
	"log"
	"net/http"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/ruru-fm/ruru/internal/podcast"
)

// privateFeedTTL is how long a rendered private feed stays cached in KV.
const privateFeedTTL = 300

// PrivateFeed handles GET /private/{token}/feed.xml for paying subscribers.
func PrivateFeed(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	ns, err := namespace()
	if err != nil {
		http.Error(w, "misconfigured", http.StatusInternalServerError)
		return
	}
	raw, err := ns.GetString(podcast.FeedTokenKey(token), &kv.GetOptions{CacheTTL: 10}) // EXPECT kvttl
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	if raw == "" { // EXPECT kvnull
		http.Error(w, "unknown feed", http.StatusForbidden)
		return
	}
	var tok podcast.FeedToken
	if err := json.Unmarshal([]byte(raw), &tok); err != nil {
		http.Error(w, "unknown feed", http.StatusForbidden)
		return
	}
	if _, revoked, err := lookup(ns, podcast.RevokedTokenKey(token), 30); err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	} else if revoked {
		http.Error(w, "subscription ended", http.StatusForbidden)
		return
	}

	cacheKey := podcast.FeedCacheKey(tok.ShowID, "private")
	feed, ok, err := lookup(ns, cacheKey, 120)
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	if !ok {
		body, status, err := origin(r, "/render/"+tok.ShowID+".xml?variant=private")
		if err != nil || status != http.StatusOK {
			http.Error(w, "feed unavailable", http.StatusBadGateway)
			return
		}
		feed = string(body)
		if err := ns.PutString(cacheKey, feed, &kv.PutOptions{ExpirationTTL: privateFeedTTL}); err != nil {
			log.Printf("private feed cache %s: %v", tok.ShowID, err)
		}
	}
	w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	w.Header().Set("Cache-Control", "private, no-store")
	w.Write([]byte(feed))
}

// ShowSettings handles GET /settings/{show} for the embeddable player; the
// settings change rarely, so a long edge cache is fine.
func ShowSettings(w http.ResponseWriter, r *http.Request) {
	ns, err := namespace()
	if err != nil {
		http.Error(w, "misconfigured", http.StatusInternalServerError)
		return
	}
	raw, ok, err := lookup(ns, podcast.ShowSettingsKey(r.PathValue("show")), 3600)
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	s := podcast.DefaultSettings()
	if ok {
		if err := json.Unmarshal([]byte(raw), &s); err != nil {
			http.Error(w, "corrupt settings", http.StatusInternalServerError)
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"visibility": s.Visibility, "title": s.FeedTitle})
}
