package handlers

import (
	"io"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/shop/config"
)

// Feeds serves files the nightly job renders into KV.
type Feeds struct{}

func (Feeds) Sitemap(w http.ResponseWriter, r *http.Request) {
	ns, err := kv.NewNamespace(config.CatalogKV)
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	body, err := ns.GetReader("sitemap.xml", &kv.GetOptions{CacheTTL: int((6 * time.Hour).Seconds())})
	if err != nil {
		fail(w, http.StatusBadGateway, err)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	_, _ = io.Copy(w, body)
}

func (Feeds) Merchant(w http.ResponseWriter, r *http.Request) {
	ns, err := kv.NewNamespace(config.CatalogKV)
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	body, err := ns.GetReader("feed:merchant.xml", &kv.GetOptions{
		CacheTTL: int(time.Hour), // EXPECT kvttl
	})
	if err != nil {
		fail(w, http.StatusBadGateway, err)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	_, _ = io.Copy(w, body)
}

// Tags lists merchandising tags one page at a time.
func (Feeds) Tags(w http.ResponseWriter, r *http.Request) {
	ns, err := kv.NewNamespace(config.ShopKV)
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	res, err := ns.List(&kv.ListOptions{
		Prefix: "tag:",
		Limit:  100,
		Cursor: r.URL.Query().Get("cursor"),
	})
	if err != nil {
		fail(w, http.StatusBadGateway, err)
		return
	}
	names := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		names = append(names, k.Name[len("tag:"):])
	}
	out := map[string]any{"tags": names}
	if !res.ListComplete {
		out["cursor"] = res.Cursor
	}
	writeJSON(w, http.StatusOK, out)
}
