//go:build js && wasm

package edge

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"
)

// counter serves the embeddable "N visitors" counter as JSON.
func (wk *Worker) counter(w http.ResponseWriter, r *http.Request) {
	site := r.PathValue("site")
	v, err := wk.kv.GetString("total:"+site, &cloudflare.KVNamespaceGetOptions{
		CacheTTL: 10, // EXPECT kvttl
	})
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	if v == "<null>" {
		v = "0"
	}
	_ = wk.kv.PutString("embed:last-served", site+" "+time.Now().UTC().Format(time.RFC3339), nil) // EXPECT kvhotkey
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=60")
	fmt.Fprintf(w, `{"site":%q,"total":%s}`, site, v)
}

// badge serves an SVG badge, rendered once per style and cached in KV.
func (wk *Worker) badge(w http.ResponseWriter, r *http.Request) {
	site := r.PathValue("site")
	style := r.URL.Query().Get("style")
	if style != "dark" {
		style = "light"
	}
	key := "badge:" + site + ":" + style
	svg, err := wk.kv.GetString(key, &cloudflare.KVNamespaceGetOptions{CacheTTL: 300})
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	if svg == "<null>" {
		total, err := wk.kv.GetString("total:"+site, &cloudflare.KVNamespaceGetOptions{CacheTTL: 60})
		if err != nil {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		n := 0
		if total != "<null>" {
			n, _ = strconv.Atoi(total)
		}
		svg = renderBadge(n, style)
		_ = wk.kv.PutString(key, svg, &cloudflare.KVNamespacePutOptions{ExpirationTTL: 600})
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	fmt.Fprint(w, svg)
}

// pixel is the no-JS fallback: it records a bare page view keyed by time.
func (wk *Worker) pixel(w http.ResponseWriter, r *http.Request) {
	site := r.PathValue("site")
	now := time.Now().UTC()
	key := "pv:" + site + ":" + now.Format("20060102T150405") + ":" + nonce()
	_ = wk.kv.PutString(key, `{"p":"`+r.URL.Query().Get("p")+`","nojs":true}`, &cloudflare.KVNamespacePutOptions{
		Expiration: int(now.Add(30 * 24 * time.Hour).Unix()),
	})
	w.Header().Set("Content-Type", "image/gif")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(transparentGIF)
}

var transparentGIF = []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")

func renderBadge(n int, style string) string {
	bg, fg := "#fff", "#222"
	if style == "dark" {
		bg, fg = "#222", "#eee"
	}
	return fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" width="120" height="20"><rect width="120" height="20" rx="3" fill="%s"/><text x="8" y="14" font-size="11" fill="%s">%d visitors</text></svg>`, bg, fg, n)
}
