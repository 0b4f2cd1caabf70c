//go:build js && wasm

package edge

import (
	"encoding/xml"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/syumai/workers/cloudflare/kv"
)

// listShows reports the shows that have settings at the edge, for the ops
// dashboard's "shows served" tile.
func listShows(c *gin.Context) {
	feeds := open(c, bindFeeds)
	if feeds == nil {
		return
	}
	res, err := feeds.List(&kv.ListOptions{ // EXPECT kvlist
		Prefix: "show:",
		Limit:  5000, // EXPECT kvlimits
	})
	if err != nil {
		c.AbortWithStatus(http.StatusBadGateway)
		return
	}
	shows := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		if id, ok := strings.CutSuffix(strings.TrimPrefix(k.Name, "show:"), ":settings"); ok {
			shows = append(shows, id)
		}
	}
	c.JSON(http.StatusOK, gin.H{"count": len(shows), "shows": shows})
}

type urlset struct {
	XMLName xml.Name `xml:"urlset"`
	XMLNS   string   `xml:"xmlns,attr"`
	URLs    []struct {
		Loc string `xml:"loc"`
	} `xml:"url"`
}

// sitemapPages bounds the work of one sitemap request.
const sitemapPages = 20

// sitemap lists public show pages for search engines.
func sitemap(c *gin.Context) {
	feeds := open(c, bindFeeds)
	if feeds == nil {
		return
	}
	base := originURL("")
	doc := urlset{XMLNS: "http://www.sitemaps.org/schemas/sitemap/0.9"}
	opts := &kv.ListOptions{Prefix: "slug:", Limit: 1000}
	for page := 0; page < sitemapPages; page++ {
		res, err := feeds.List(opts)
		if err != nil {
			c.AbortWithStatus(http.StatusBadGateway)
			return
		}
		for _, k := range res.Keys {
			showID, ok, err := lookup(feeds, k.Name, nil) // EXPECT kvlist
			if err != nil || !ok {
				continue
			}
			doc.URLs = append(doc.URLs, struct {
				Loc string `xml:"loc"`
			}{Loc: base + "/" + strings.TrimPrefix(k.Name, "slug:") + "?show=" + showID})
		}
		if res.ListComplete {
			break
		}
		opts.Cursor = res.Cursor
	}
	out, _ := xml.Marshal(doc)
	c.Data(http.StatusOK, "application/xml", append([]byte(xml.Header), out...))
}

// claimDomain points a creator's custom domain at a show.
func claimDomain(c *gin.Context) {
	feeds := open(c, bindFeeds)
	if feeds == nil {
		return
	}
	host := strings.ToLower(c.Param("host"))
	showID := c.Query("show")
	if showID == "" || strings.ContainsAny(host, "/ ") {
		c.AbortWithStatus(http.StatusBadRequest)
		return
	}
	key := "domain:" + host
	owner, ok, err := lookup(feeds, key, nil)
	if err != nil {
		c.AbortWithStatus(http.StatusBadGateway)
		return
	}
	if ok && owner != showID {
		c.JSON(http.StatusConflict, gin.H{"error": "domain already in use"})
		return
	}
	if err := feeds.PutString(key, showID, nil); err != nil { // EXPECT kvrace
		c.AbortWithStatus(http.StatusBadGateway)
		return
	}
	c.Status(http.StatusNoContent)
}
