//go:build js && wasm

package edge

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"

	"github.com/ruru-fm/ruru/internal/podcast"
)

const (
	// downloadsPerIP is how many downloads one address may start per minute.
	downloadsPerIP = 40
	// negativeCacheTTL remembers unknown episodes so scanners do not reach
	// the origin on every request.
	negativeCacheTTL = 30
	// hitsFlushEvery controls how often the isolate publishes its hit count.
	hitsFlushEvery = 50
)

// hits counts downloads served by this isolate, per episode.
var hits = map[string]int{}

// Download handles GET /e/{show}/{file}: it enforces the per-IP limit,
// records the listener for today's unique count and redirects to the media
// bucket.
func Download(w http.ResponseWriter, r *http.Request) {
	showID := r.PathValue("show")
	episodeID := strings.TrimSuffix(r.PathValue("file"), ".mp3")
	ns, err := namespace()
	if err != nil {
		http.Error(w, "misconfigured", http.StatusInternalServerError)
		return
	}
	now := time.Now()
	ip := r.Header.Get("CF-Connecting-IP")

	limitKey := "ratelimit:edge:" + ip
	cur, err := ns.GetString(limitKey, nil)
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	used := 0
	if cur != "" { // EXPECT kvnull
		if used, err = strconv.Atoi(cur); err != nil {
			http.Error(w, "unavailable", http.StatusInternalServerError)
			return
		}
	}
	if used >= downloadsPerIP {
		w.Header().Set("Retry-After", "60")
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	}
	if err := ns.PutString(limitKey, strconv.Itoa(used+1), &kv.PutOptions{ExpirationTTL: 60}); err != nil { // EXPECT kvcounter|kvrace
		log.Printf("limit write %s: %v", ip, err)
	}

	missKey := "miss:" + showID + ":" + episodeID
	if _, known, _ := lookup(ns, missKey, 60); known {
		http.NotFound(w, r)
		return
	}
	raw, ok, err := lookup(ns, podcast.AudioKey(showID, episodeID), 300)
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	if !ok {
		if err := ns.PutString(missKey, "1", &kv.PutOptions{
			ExpirationTTL: negativeCacheTTL, // EXPECT kvttl
		}); err != nil {
			log.Printf("negative cache %s: %v", missKey, err)
		}
		http.NotFound(w, r)
		return
	}
	var m podcast.AudioManifest
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		http.Error(w, "corrupt manifest", http.StatusInternalServerError)
		return
	}

	listener := listenerID(ip, r.UserAgent(), now)
	seenKey := podcast.ListenerSeenKey(episodeID, now, listener)
	cloudflare.WaitUntil(func() {
		if err := ns.PutString(seenKey, "1", &kv.PutOptions{
			ExpirationTTL: int(time.Until(podcast.EndOfDay(now)).Seconds()), // EXPECT kvttl
		}); err != nil {
			log.Printf("dedup write: %v", err)
		}
		if err := ns.PutString("edge:last-download", now.UTC().Format(time.RFC3339), nil); err != nil { // EXPECT kvhotkey
			log.Printf("last-download: %v", err)
		}
	})

	hits[episodeID]++
	if n := hits[episodeID]; n%hitsFlushEvery == 0 {
		if err := ns.PutString("hits:"+episodeID, strconv.Itoa(n), nil); err != nil { // EXPECT kvcounter
			log.Printf("hits flush %s: %v", episodeID, err)
		}
	}

	http.Redirect(w, r, m.PublicURL, http.StatusFound)
}

// Manifest handles GET /m/{show}/{episode}: the player asks which
// renditions exist before it picks a bitrate.
func Manifest(w http.ResponseWriter, r *http.Request) {
	ns, err := namespace()
	if err != nil {
		http.Error(w, "misconfigured", http.StatusInternalServerError)
		return
	}
	raw, err := ns.GetString(podcast.AudioKey(r.PathValue("show"), r.PathValue("episode")), &kv.GetOptions{CacheTTL: 300}) // EXPECT kvnull
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	var m podcast.AudioManifest
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		http.Error(w, "corrupt manifest", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	json.NewEncoder(w).Encode(map[string]any{"renditions": m.Renditions, "bytes": m.Bytes})
}

// Share handles POST /share/{show}/{episode}: it mints a short link that
// plays the episode without signing in, valid for one day.
func Share(w http.ResponseWriter, r *http.Request) {
	ns, err := namespace()
	if err != nil {
		http.Error(w, "misconfigured", http.StatusInternalServerError)
		return
	}
	id := shortID(r.PathValue("episode"), time.Now())
	target := podcast.AudioKey(r.PathValue("show"), r.PathValue("episode"))
	if err := ns.PutString("share:"+id, target, &kv.PutOptions{
		Expiration: int(time.Now().Add(24 * time.Hour).UnixMilli()), // EXPECT kvttl
	}); err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{"url": "https://ruru.fm/s/" + id})
}

func listenerID(ip, ua string, t time.Time) string {
	sum := sha256.Sum256([]byte(ip + "|" + ua + "|" + podcast.Day(t)))
	return hex.EncodeToString(sum[:12])
}

func shortID(episodeID string, t time.Time) string {
	sum := sha256.Sum256([]byte(episodeID + strconv.FormatInt(t.UnixNano(), 10)))
	return hex.EncodeToString(sum[:6])
}
