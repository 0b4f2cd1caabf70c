//go:build js && wasm

package main

import (
	"encoding/json"
	"io"
	"log"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"

	"example.com/garganey/internal/feedtokens"
)

// feedCacheTTL is how long a rendered public feed is served from KV, in
// seconds; the backend refresher rewrites active shows every five minutes.
const feedCacheTTL = 900

// maxTokenFailures is how many unknown private feed URLs one address may
// try in ten minutes.
const maxTokenFailures = 20

// defaultDirectoryQuery is the query behind the directory landing page.
const defaultDirectoryQuery = "lang=en&explicit=exclude&sort=trending&window=7d" +
	"&categories=arts,arts/books,arts/design,arts/fashion-beauty,arts/food,arts/performing-arts,arts/visual-arts," +
	"business,business/careers,business/entrepreneurship,business/investing,business/management,business/marketing," +
	"comedy,comedy/improv,comedy/interviews,comedy/stand-up,education,education/courses,education/how-to," +
	"education/language-learning,education/self-improvement,fiction,fiction/comedy-fiction,fiction/drama," +
	"fiction/science-fiction,health-fitness,health-fitness/alternative-health,health-fitness/fitness," +
	"health-fitness/medicine,health-fitness/mental-health,health-fitness/nutrition,history,kids-family," +
	"leisure,music,news,news/business-news,news/daily-news,news/politics,news/tech-news,science,society-culture," +
	"sports,technology,true-crime,tv-film"

const directoryKey = "directory:" + defaultDirectoryQuery

func handleFeed(w http.ResponseWriter, r *http.Request) {
	show := r.PathValue("show")
	ns, ok := namespace(w, bindingFeeds)
	if !ok {
		return
	}
	body, err := ns.GetString("feed:"+show, &kv.GetOptions{CacheTTL: 300})
	if err == nil && body == kvNull {
		if body, err = fetchOrigin(r.Context(), http.MethodGet, "/render/feeds/"+show, ""); err == nil {
			if err := ns.PutString("feed:"+show, body, &kv.PutOptions{ExpirationTTL: feedCacheTTL}); err != nil {
				log.Printf("feed %s: cache: %v", show, err)
			}
		}
	}
	if err != nil {
		http.Error(w, "feed unavailable", http.StatusBadGateway)
		return
	}
	if err := ns.PutString("feeds:last-fetch", time.Now().UTC().Format(time.RFC3339), nil); err != nil { // EXPECT kvhotkey
		log.Printf("feed: last-fetch: %v", err)
	}
	w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	io.WriteString(w, body)
}

// handleEpisodeList returns the episode cards of a show, oldest first.
func handleEpisodeList(w http.ResponseWriter, r *http.Request) {
	ns, ok := namespace(w, bindingFeeds)
	if !ok {
		return
	}
	res, err := ns.List(&kv.ListOptions{Prefix: "card:" + r.PathValue("show") + ":"}) // EXPECT kvlist
	if err != nil {
		http.Error(w, "listing unavailable", http.StatusBadGateway)
		return
	}
	cards := make([]json.RawMessage, 0, len(res.Keys))
	for _, k := range res.Keys {
		raw, err := ns.GetString(k.Name, nil) // EXPECT kvlist
		if err == nil && raw != kvNull {
			cards = append(cards, json.RawMessage(raw))
		}
	}
	writeJSON(w, http.StatusOK, cards)
}

// handlePrivateFeed serves a premium show's feed to the holder of a token.
func handlePrivateFeed(w http.ResponseWriter, r *http.Request) {
	tok := r.PathValue("token")
	ns, ok := namespace(w, bindingFeeds)
	if !ok {
		return
	}
	raw, err := ns.GetString("feedtoken:"+tok, nil)
	if err != nil {
		http.Error(w, "feed unavailable", http.StatusBadGateway)
		return
	}
	if raw == "" { // EXPECT kvnull
		if st, err := stores.Open("kv://" + bindingFeeds); err == nil {
			if n, _ := feedtokens.New(st).NoteFailure(r.Context(), r.Header.Get("CF-Connecting-IP")); n > maxTokenFailures {
				http.Error(w, "too many attempts", http.StatusTooManyRequests)
				return
			}
		}
		http.Error(w, "unknown feed", http.StatusNotFound)
		return
	}
	var t feedtokens.Token
	if err := json.Unmarshal([]byte(raw), &t); err != nil {
		http.Error(w, "feed unavailable", http.StatusInternalServerError)
		return
	}
	if revoked, err := ns.GetString("revoked:"+tok, nil); err != nil || revoked != kvNull {
		http.Error(w, "this feed URL was replaced; check your account page", http.StatusGone)
		return
	}
	body, err := ns.GetString("private-feed:"+t.Show, &kv.GetOptions{CacheTTL: 120})
	if err != nil || body == kvNull {
		if body, err = fetchOrigin(r.Context(), http.MethodGet, "/render/private-feeds/"+t.Show, ""); err != nil {
			http.Error(w, "feed unavailable", http.StatusBadGateway)
			return
		}
	}
	w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	w.Header().Set("Cache-Control", "private, no-store")
	io.WriteString(w, body)
}

// handleDirectory serves the directory landing page from KV.
func handleDirectory(w http.ResponseWriter, r *http.Request) {
	ns, ok := namespace(w, bindingFeeds)
	if !ok {
		return
	}
	body, err := ns.GetString(directoryKey, &kv.GetOptions{CacheTTL: 600}) // EXPECT kvlimits
	if err != nil || body == kvNull {
		if body, err = fetchOrigin(r.Context(), http.MethodGet, "/directory?"+defaultDirectoryQuery, ""); err != nil {
			http.Error(w, "directory unavailable", http.StatusBadGateway)
			return
		}
		if err := ns.PutString(directoryKey, body, &kv.PutOptions{ExpirationTTL: 600}); err != nil { // EXPECT kvlimits
			log.Printf("directory: cache: %v", err)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, body)
}

// handlePublished receives the backend's publish hook: it keeps the
// "recent:<show>" list that the embeddable player reads and drops the
// cached feed so that the next request renders the new episode.
func handlePublished(w http.ResponseWriter, r *http.Request) {
	var ev struct{ Show, Episode string }
	if r.Header.Get("X-Hook-Secret") != cloudflare.Getenv("HOOK_SECRET") || json.NewDecoder(r.Body).Decode(&ev) != nil {
		http.Error(w, "bad hook", http.StatusBadRequest)
		return
	}
	ns, ok := namespace(w, bindingFeeds)
	if !ok {
		return
	}
	recent, err := ns.GetString("recent:"+ev.Show, nil)
	if err != nil {
		http.Error(w, "storage unavailable", http.StatusBadGateway)
		return
	}
	ids := ev.Episode
	if recent != kvNull && recent != "" {
		ids += "," + recent
	}
	if parts := strings.Split(ids, ","); len(parts) > 20 {
		ids = strings.Join(parts[:20], ",")
	}
	if err := ns.PutString("recent:"+ev.Show, ids, nil); err != nil { // EXPECT kvrace
		http.Error(w, "storage unavailable", http.StatusBadGateway)
		return
	}
	if err := ns.Delete("feed:" + ev.Show); err != nil {
		log.Printf("published %s: drop feed: %v", ev.Show, err)
	}
	w.WriteHeader(http.StatusNoContent)
}
