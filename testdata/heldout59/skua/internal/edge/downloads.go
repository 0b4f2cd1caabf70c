//go:build js && wasm

package edge

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"
)

// downloadsPerWindow is how many downloads one address may start per window.
const downloadsPerWindow = 120

type episodeRecord struct {
	AudioURL string `json:"audio_url"`
}

// download redirects to the episode's audio file and counts the download.
func download(c *gin.Context) {
	feeds, stats := open(c, bindFeeds), open(c, bindStats)
	if feeds == nil || stats == nil {
		return
	}
	show, episode := c.Param("show"), c.Param("episode")
	ip := c.GetHeader("CF-Connecting-IP")

	if limited(stats, ip) {
		c.AbortWithStatus(http.StatusTooManyRequests)
		return
	}

	raw, ok, err := lookup(feeds, "episode:"+episode, &kv.GetOptions{CacheTTL: 3600})
	if err != nil || !ok {
		c.AbortWithStatus(http.StatusNotFound)
		return
	}
	var ep episodeRecord
	if err := json.Unmarshal([]byte(raw), &ep); err != nil || ep.AudioURL == "" {
		c.AbortWithStatus(http.StatusNotFound)
		return
	}

	countKey := "downloads:" + episode
	if cur, ok, err := lookup(stats, countKey, nil); err == nil {
		n := 0
		if ok {
			n, _ = strconv.Atoi(cur)
		}
		_ = stats.PutString(countKey, strconv.Itoa(n+1), nil) // EXPECT kvcounter|kvrace
	}

	_ = stats.PutString("edge:last_download", episode+" "+time.Now().UTC().Format(time.RFC3339), nil) // EXPECT kvhotkey

	listener := listenerID(ip, c.Request.UserAgent())
	cloudflare.WaitUntil(func() {
		rememberListener(stats, show, listener)
	})

	c.Redirect(http.StatusFound, ep.AudioURL)
}

// limited applies the per-address download limit.
func limited(stats *kv.Namespace, ip string) bool {
	window, err := time.ParseDuration(cloudflare.Getenv("DOWNLOAD_WINDOW"))
	if err != nil || window <= 0 {
		window = time.Minute
	}
	bucket := time.Now().UnixNano() / int64(window)
	key := fmt.Sprintf("ratelimit:dl:%s:%d", ip, bucket)
	cur, ok, err := lookup(stats, key, nil)
	if err != nil {
		return false // fail open: a KV hiccup must not block downloads
	}
	n := 0
	if ok {
		n, _ = strconv.Atoi(cur)
	}
	if n >= downloadsPerWindow {
		return true
	}
	opts := &kv.PutOptions{ExpirationTTL: int(max(2*window, 3*time.Second).Seconds())} // EXPECT kvttl
	_ = stats.PutString(key, strconv.Itoa(n+1), opts)                                  // EXPECT kvcounter|kvrace
	return false
}

func listenerID(ip, ua string) string {
	sum := sha256.Sum256([]byte(ip + "|" + ua))
	return hex.EncodeToString(sum[:8])
}

// rememberListener keeps the show's most recent listeners for the
// "listening now" widget.
func rememberListener(stats *kv.Namespace, show, listener string) {
	key := "recent:" + show
	raw, ok, err := lookup(stats, key, nil)
	if err != nil {
		return
	}
	var recent []string
	if ok {
		_ = json.Unmarshal([]byte(raw), &recent)
	}
	recent = slices.DeleteFunc(recent, func(id string) bool { return id == listener })
	recent = append([]string{listener}, recent...)
	recent = recent[:min(len(recent), 50)]
	b, _ := json.Marshal(recent)
	_ = stats.PutString(key, string(b), &kv.PutOptions{ExpirationTTL: 86400}) // EXPECT kvrace
}
