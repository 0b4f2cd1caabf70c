//go:build js && wasm

package edge

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/fetch"
)

type tokenRecord struct {
	ShowID       string `json:"show_id"`
	SubscriberID string `json:"subscriber_id"`
	Tier         string `json:"tier"`
}

// serveFeed serves a subscriber's private RSS feed. The feed XML lives in R2;
// KV maps the token to the show and the show to the current R2 object.
func serveFeed(e *env, w http.ResponseWriter, r *http.Request) {
	cfg := loadConfig(e)
	if limited, err := overRateLimit(e, clientIP(r), cfg.RateLimitPerMinute); err == nil && limited {
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	}

	raw, err := e.kv.GetString("feedtok:"+r.PathValue("token"), &cloudflare.KVNamespaceGetOptions{CacheTTL: 300})
	if err != nil {
		http.Error(w, "lookup failed", http.StatusBadGateway)
		return
	}
	if raw == nullValue {
		http.NotFound(w, r)
		return
	}
	var tok tokenRecord
	if err := json.Unmarshal([]byte(raw), &tok); err != nil {
		http.Error(w, "corrupt token", http.StatusInternalServerError)
		return
	}

	revoked, err := e.kv.GetString("revoked:"+tok.ShowID, &cloudflare.KVNamespaceGetOptions{CacheTTL: 60})
	if err == nil && revoked != nullValue {
		var list []string
		if json.Unmarshal([]byte(revoked), &list) == nil && slices.Contains(list, r.PathValue("token")) {
			http.Error(w, "feed revoked", http.StatusForbidden)
			return
		}
	}

	objKey, err := e.kv.GetString("feed:"+tok.ShowID+":xml", nil)
	if err != nil || objKey == nullValue {
		http.Error(w, "feed not rendered yet", http.StatusServiceUnavailable)
		return
	}
	obj, err := e.media.Get(objKey)
	if err != nil || obj == nil {
		http.Error(w, "feed missing", http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	w.Header().Set("ETag", obj.HTTPETag)
	_, _ = io.Copy(w, obj.Body)
}

// overRateLimit counts requests per client IP per minute.
func overRateLimit(e *env, ip string, perMinute int) (bool, error) {
	key := "ratelimit:" + ip + ":" + time.Now().UTC().Format("200601021504")
	cur, err := e.kv.GetString(key, nil) // EXPECT kvnull
	if err != nil {
		return false, err
	}
	n, _ := strconv.Atoi(cur)
	if n >= perMinute {
		return true, nil
	}
	err = e.kv.PutString(key, strconv.Itoa(n+1), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 120}) // EXPECT kvcounter|kvrace
	return false, err
}

// serveEpisode redirects to the episode audio, counting the download in the
// show's Durable Object and reporting it to the backend after the response.
func serveEpisode(e *env, w http.ResponseWriter, r *http.Request) {
	show, episode := r.PathValue("show"), r.PathValue("episode")
	media, err := e.kv.GetString("media:"+episode, &cloudflare.KVNamespaceGetOptions{CacheTTL: 3600})
	if err != nil || media == nullValue {
		http.NotFound(w, r)
		return
	}
	var ptr mediaPointer
	if err := json.Unmarshal([]byte(media), &ptr); err != nil {
		http.Error(w, "corrupt media record", http.StatusInternalServerError)
		return
	}

	stub, err := e.dl.Get(e.dl.IdFromName(show))
	if err == nil {
		req, _ := http.NewRequest(http.MethodPost, "https://downloads/hit?episode="+episode, nil)
		if resp, err := stub.Fetch(req); err == nil {
			resp.Body.Close()
		}
	}

	ctx := r.Context()
	country := r.Header.Get("CF-IPCountry")
	cloudflare.WaitUntil(ctx, func() {
		body := fmt.Sprintf(`{"downloads":[{"show_id":%q,"episode_id":%q,"country":%q,"at":%q}]}`,
			show, episode, country, time.Now().UTC().Format(time.RFC3339))
		req, err := fetch.NewRequest(ctx, http.MethodPost, cloudflare.Getenv(ctx, "API_ORIGIN")+"/v1/stats/downloads", strings.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("X-Api-Key", cloudflare.Getenv(ctx, "EDGE_API_KEY"))
		if resp, err := fetch.NewClient().Do(req, nil); err == nil {
			resp.Body.Close()
		}
	})
	cloudflare.WaitUntil(ctx, func() {
		_ = e.kv.PutString("edge:last-download", time.Now().UTC().Format(time.RFC3339), nil) // EXPECT kvhotkey
	})
	http.Redirect(w, r, "https://media.hoopoe.fm/"+ptr.R2Key, http.StatusFound)
}
