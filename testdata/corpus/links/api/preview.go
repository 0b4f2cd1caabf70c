package api

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log"
	"net/http"
	"net/url"
	"regexp"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/fetch"

	"example.com/links/kvx"
	"example.com/links/settings"
)

type preview struct {
	Title string `json:"title,omitempty"`
	Host  string `json:"host,omitempty"`
}

var titleRE = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)

func fetchBytes(ctx context.Context, target string, limit int64) ([]byte, error) {
	req, err := fetch.NewRequest(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, err
	}
	res, err := fetch.NewClient().Do(req, nil)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s", target, res.Status)
	}
	return io.ReadAll(io.LimitReader(res.Body, limit))
}

// Preview returns the title of the page a link points to.
func Preview(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	links, err := kvx.Open(settings.LinksKV)
	if err != nil {
		oops(w, err)
		return
	}
	key := "preview:" + slug
	if v, ok, err := kvx.Load(links, key); err == nil && ok {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(v))
		return
	}

	var l Link
	if found, err := kvx.LoadJSON(links, linkKey(slug), &l); err != nil || !found {
		http.NotFound(w, r)
		return
	}
	u, _ := url.Parse(l.URL)
	page, err := fetchBytes(r.Context(), l.URL, 64<<10)
	if err != nil {
		log.Printf("preview %s: %v", slug, err)
		// don't hammer a site that is down; try again shortly
		_ = kvx.Save(links, key, `{}`, 30) // EXPECT kvttl
		reply(w, http.StatusOK, preview{})
		return
	}
	p := preview{Host: u.Host}
	if m := titleRE.FindSubmatch(page); m != nil {
		p.Title = html.UnescapeString(string(bytes.TrimSpace(m[1])))
	}
	b, _ := json.Marshal(p)
	if err := kvx.Save(links, key, string(b), settings.PreviewTTL); err != nil {
		log.Printf("preview %s: %v", slug, err)
	}
	reply(w, http.StatusOK, p)
}

// Favicon proxies the destination's favicon so link lists don't leak
// visitors' IPs to every destination site. Icons are kept base64-encoded.
func Favicon(w http.ResponseWriter, r *http.Request) {
	host := r.PathValue("host")
	links, err := cloudflare.NewKVNamespace(settings.LinksKV)
	if err != nil {
		oops(w, err)
		return
	}
	if _, missing, _ := kvx.Load(links, "favicon-miss:"+host); missing {
		http.NotFound(w, r)
		return
	}
	key := "favicon:" + host
	if v, err := links.GetString(key, &cloudflare.KVNamespaceGetOptions{CacheTTL: 86400}); err == nil && v != "<null>" {
		if icon, err := base64.StdEncoding.DecodeString(v); err == nil {
			w.Header().Set("Content-Type", "image/x-icon")
			_, _ = w.Write(icon)
			return
		}
	}
	icon, err := fetchBytes(r.Context(), "https://"+host+"/favicon.ico", 32<<10)
	if err != nil {
		_ = kvx.Save(links, "favicon-miss:"+host, "1", int(24*time.Hour/time.Second))
		http.NotFound(w, r)
		return
	}
	err = links.PutString(key, base64.StdEncoding.EncodeToString(icon), &cloudflare.KVNamespacePutOptions{
		ExpirationTTL: int(settings.PreviewMaxAge), // EXPECT kvttl
	})
	if err != nil {
		log.Printf("favicon %s: %v", host, err)
	}
	w.Header().Set("Content-Type", "image/x-icon")
	_, _ = w.Write(icon)
}

type shot struct {
	ImageURL string `json:"image_url"`
	Width    int    `json:"width"`
	Height   int    `json:"height"`
}

// Thumbnail caches the screenshot service's rendering of a link.
func Thumbnail(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	links, err := kvx.Open(settings.LinksKV)
	if err != nil {
		oops(w, err)
		return
	}
	key := "thumb:" + slug
	if v, ok, _ := kvx.Load(links, key); ok {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, v)
		return
	}
	body, err := fetchBytes(r.Context(), "https://shots.example-render.com/v1/"+url.PathEscape(slug)+".json", 16<<10)
	if err != nil {
		http.Error(w, "no thumbnail", http.StatusBadGateway)
		return
	}
	var s shot
	if err := json.Unmarshal(body, &s); err != nil || s.ImageURL == "" {
		http.Error(w, "no thumbnail", http.StatusBadGateway)
		return
	}
	// the renderer refreshes every 30s while a page is new
	if err := kvx.Cache(links, key, string(body), 30*time.Second); err != nil {
		log.Printf("thumb %s: %v", slug, err)
	}
	reply(w, http.StatusOK, s)
}
