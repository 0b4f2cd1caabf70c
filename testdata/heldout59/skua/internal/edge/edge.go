//go:build js && wasm

// Package edge is the Cloudflare Worker in front of skua.fm. It serves feeds
// that the backend published to KV, gates private feeds, redirects episode
// downloads to storage and counts them.
package edge

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/fetch"
	"github.com/syumai/workers/cloudflare/kv"
)

// KV bindings declared in wrangler.toml.
const (
	bindFeeds = "FEEDS"
	bindAuth  = "AUTH"
	bindStats = "STATS"
)

// kvNull is what GetString returns for a missing key: syscall/js renders the
// JavaScript null that KV resolves with as "<null>".
const kvNull = "<null>"

// open returns the namespace bound under name, or aborts the request.
func open(c *gin.Context, name string) *kv.Namespace {
	ns, err := kv.NewNamespace(name)
	if err != nil {
		c.AbortWithStatus(http.StatusInternalServerError)
		return nil
	}
	return ns
}

// lookup reads key and reports whether it exists.
func lookup(ns *kv.Namespace, key string, opts *kv.GetOptions) (string, bool, error) {
	v, err := ns.GetString(key, opts)
	if err != nil {
		return "", false, err
	}
	if v == kvNull {
		return "", false, nil
	}
	return v, true, nil
}

// originClient talks to skua-api through the Workers fetch API.
func originClient() *http.Client {
	return fetch.NewClient().HTTPClient(fetch.RedirectModeFollow)
}

func originURL(path string) string {
	return strings.TrimRight(cloudflare.Getenv("ORIGIN_URL"), "/") + path
}

// NewRouter builds the worker's routes.
func NewRouter() *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(gin.Recovery())

	r.GET("/feeds/:show", serveFeed)
	r.GET("/preview/:show", servePreview)
	r.GET("/p/:token/:file", servePrivateFeed)
	r.GET("/episodes/:episode", serveEpisode)
	r.GET("/embed/:episode", serveEmbed)
	r.GET("/dl/:show/:episode", download)

	ops := r.Group("/_edge", requireEdgeKey)
	ops.GET("/shows", listShows)
	ops.GET("/sitemap.xml", sitemap)
	ops.PUT("/domains/:host", claimDomain)
	return r
}

func requireEdgeKey(c *gin.Context) {
	if c.GetHeader("X-Edge-Key") == "" || c.GetHeader("X-Edge-Key") != cloudflare.Getenv("EDGE_KEY") {
		c.AbortWithStatus(http.StatusUnauthorized)
		return
	}
	c.Next()
}
