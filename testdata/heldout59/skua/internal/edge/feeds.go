//go:build js && wasm

package edge

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/syumai/workers/cloudflare/kv"
)

// previewTTL keeps a draft preview around while the creator reloads it.
const previewTTL = 20

// episodeCacheFor is how long an episode page fetched from origin is kept.
const episodeCacheFor = 10 * time.Minute

type showSettings struct {
	Visibility string `json:"visibility"`
	Redirect   string `json:"redirect,omitempty"`
}

func serveFeed(c *gin.Context) {
	feeds := open(c, bindFeeds)
	if feeds == nil {
		return
	}
	show := c.Param("show")

	raw, err := feeds.GetString("show:"+show+":settings", nil) // EXPECT kvnull
	if err != nil {
		c.AbortWithStatus(http.StatusBadGateway)
		return
	}
	var st showSettings
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	if st.Redirect != "" {
		c.Redirect(http.StatusMovedPermanently, st.Redirect)
		return
	}
	if st.Visibility == "private" {
		c.AbortWithStatus(http.StatusNotFound)
		return
	}

	body, ok, err := lookup(feeds, "feed:"+show+":rss", &kv.GetOptions{CacheTTL: 300})
	if err != nil {
		c.AbortWithStatus(http.StatusBadGateway)
		return
	}
	if !ok {
		// Not published yet or expired: let origin render and cache it.
		c.Redirect(http.StatusTemporaryRedirect, originURL("/feeds/"+show))
		return
	}
	c.Header("Cache-Control", "public, max-age=120")
	c.Data(http.StatusOK, "application/rss+xml; charset=utf-8", []byte(body))
}

func servePreview(c *gin.Context) {
	feeds := open(c, bindFeeds)
	if feeds == nil {
		return
	}
	show := c.Param("show")
	key := "preview:" + show
	if body, ok, err := lookup(feeds, key, nil); err == nil && ok {
		c.Data(http.StatusOK, "application/rss+xml; charset=utf-8", []byte(body))
		return
	}
	req, _ := http.NewRequestWithContext(c.Request.Context(), http.MethodGet, originURL("/api/shows/"+show+"/preview"), nil)
	req.Header.Set("Cookie", c.GetHeader("Cookie"))
	resp, err := originClient().Do(req)
	if err != nil {
		c.AbortWithStatus(http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		c.AbortWithStatus(resp.StatusCode)
		return
	}
	b, _ := io.ReadAll(resp.Body)
	opts := &kv.PutOptions{}
	opts.ExpirationTTL = previewTTL // EXPECT kvttl
	_ = feeds.PutString(key, string(b), opts)
	c.Data(http.StatusOK, "application/rss+xml; charset=utf-8", b)
}

type feedToken struct {
	SubscriberID string    `json:"subscriber_id"`
	ShowID       string    `json:"show_id"`
	PaidThrough  time.Time `json:"paid_through"`
	IssuedAt     time.Time `json:"issued_at"`
	Trial        bool      `json:"trial,omitempty"`
	LastUsed     time.Time `json:"last_used,omitzero"`
	LastApp      string    `json:"last_app,omitempty"`
}

// servePrivateFeed serves /p/<token>/<show>.rss to paying subscribers.
func servePrivateFeed(c *gin.Context) {
	auth, feeds := open(c, bindAuth), open(c, bindFeeds)
	if auth == nil || feeds == nil {
		return
	}
	tokKey := "feedtoken:" + c.Param("token")
	raw, ok, err := lookup(auth, tokKey, &kv.GetOptions{CacheTTL: 60})
	if err != nil {
		c.AbortWithStatus(http.StatusBadGateway)
		return
	}
	if !ok {
		c.AbortWithStatus(http.StatusNotFound)
		return
	}
	var tok feedToken
	if err := json.Unmarshal([]byte(raw), &tok); err != nil {
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	show := strings.TrimSuffix(c.Param("file"), ".rss")
	if tok.ShowID != show || time.Now().After(tok.PaidThrough.Add(72*time.Hour)) {
		c.AbortWithStatus(http.StatusForbidden)
		return
	}

	tok.LastUsed = time.Now().UTC()
	tok.LastApp = c.Request.UserAgent()
	if b, err := json.Marshal(tok); err == nil {
		exp := int(tok.PaidThrough.Add(72 * time.Hour).Unix())
		_ = auth.PutString(tokKey, string(b), &kv.PutOptions{Expiration: exp}) // EXPECT kvsession|kvrace
	}

	limitRaw, _ := feeds.GetString("show:"+show+":premium_limit", nil) // EXPECT kvnull
	limit, _ := strconv.Atoi(limitRaw)
	body, ok, err := lookup(feeds, "feed:"+show+":premium", &kv.GetOptions{CacheTTL: 300})
	if err != nil || !ok {
		c.AbortWithStatus(http.StatusServiceUnavailable)
		return
	}
	c.Header("X-Feed-Limit", strconv.Itoa(limit))
	c.Header("Cache-Control", "private, no-store")
	c.Data(http.StatusOK, "application/rss+xml; charset=utf-8", []byte(body))
}

// serveEpisode returns episode JSON, read through from origin.
func serveEpisode(c *gin.Context) {
	feeds := open(c, bindFeeds)
	if feeds == nil {
		return
	}
	key := "episode:" + c.Param("episode")
	if body, ok, err := lookup(feeds, key, &kv.GetOptions{CacheTTL: 600}); err == nil && ok {
		c.Data(http.StatusOK, "application/json", []byte(body))
		return
	}
	resp, err := originClient().Get(originURL("/v1/episodes/" + c.Param("episode")))
	if err != nil {
		c.AbortWithStatus(http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		c.AbortWithStatus(resp.StatusCode)
		return
	}
	b, _ := io.ReadAll(resp.Body)
	_ = feeds.PutString(key, string(b), &kv.PutOptions{ExpirationTTL: int(episodeCacheFor)}) // EXPECT kvttl
	c.Data(http.StatusOK, "application/json", b)
}

func serveEmbed(c *gin.Context) {
	feeds := open(c, bindFeeds)
	if feeds == nil {
		return
	}
	html, err := feeds.GetString("oembed:"+c.Param("episode"), &kv.GetOptions{CacheTTL: 10}) // EXPECT kvttl
	if err != nil {
		c.AbortWithStatus(http.StatusBadGateway)
		return
	}
	if html == "" { // EXPECT kvnull
		c.Redirect(http.StatusTemporaryRedirect, originURL("/embed/"+c.Param("episode")))
		return
	}
	c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(html))
}
