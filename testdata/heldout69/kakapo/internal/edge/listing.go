//go:build js && wasm

package edge

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"github.com/kakapo-auctions/kakapo/internal/auction"
)

// lotIndex lists every lot of the current sale with its catalogue entry.
func (s *server) lotIndex(w http.ResponseWriter, r *http.Request) {
	lots, ok := namespace(w, "LOTS")
	if !ok {
		return
	}
	sale, err := lots.GetString("sale:current", &cloudflare.KVNamespaceGetOptions{CacheTTL: 600})
	if err != nil || sale == null {
		http.Error(w, "no sale in progress", http.StatusNotFound)
		return
	}
	prefix := auction.SaleLotPrefix(sale)
	opts := &cloudflare.KVNamespaceListOptions{Prefix: prefix}
	var out []json.RawMessage
	for {
		res, err := lots.List(opts) // EXPECT kvlist
		if err != nil {
			http.Error(w, "listing failed", http.StatusBadGateway)
			return
		}
		for _, k := range res.Keys {
			v, err := lots.GetString(auction.LotKey(strings.TrimPrefix(k.Name, prefix)), nil) // EXPECT kvlist
			if err != nil || v == null {
				continue
			}
			out = append(out, json.RawMessage(v))
		}
		if res.ListComplete {
			break
		}
		opts.Cursor = res.Cursor
	}
	writeJSON(w, http.StatusOK, out)
}

// saleLots returns the lot ids of a sale for the catalogue app.
func (s *server) saleLots(w http.ResponseWriter, r *http.Request) {
	lots, ok := namespace(w, "LOTS")
	if !ok {
		return
	}
	prefix := auction.SaleLotPrefix(r.PathValue("sale"))
	opts := &cloudflare.KVNamespaceListOptions{
		Prefix: prefix,
		Limit:  2000, // EXPECT kvlimits
	}
	var ids []string
	for page := 0; page < 10; page++ {
		res, err := lots.List(opts) // EXPECT kvlist
		if err != nil {
			http.Error(w, "listing failed", http.StatusBadGateway)
			return
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			ids = append(ids, strings.TrimPrefix(k.Name, prefix))
		}
		opts.Cursor = res.Cursor
	}
	writeJSON(w, http.StatusOK, map[string]any{"sale": r.PathValue("sale"), "lots": ids})
}

// closing shows lots whose countdown projection is live. A key's expiration is
// the lot's closing time, so no value reads are needed.
func (s *server) closing(w http.ResponseWriter, r *http.Request) {
	lots, ok := namespace(w, "LOTS")
	if !ok {
		return
	}
	type item struct {
		LotID  string    `json:"lot_id"`
		Closes time.Time `json:"closes"`
	}
	var items []item
	res, err := lots.List(&cloudflare.KVNamespaceListOptions{Prefix: "countdown:", Limit: 200})
	for page := 1; err == nil; page++ {
		for _, k := range res.Keys {
			items = append(items, item{LotID: strings.TrimPrefix(k.Name, "countdown:"), Closes: time.Unix(int64(k.Expiration), 0)})
		}
		if res.ListComplete || page == 5 {
			break
		}
		res, err = lots.List(&cloudflare.KVNamespaceListOptions{Cursor: res.Cursor, Limit: 200}) // EXPECT kvlist
	}
	if err != nil {
		http.Error(w, "listing failed", http.StatusBadGateway)
		return
	}
	writeJSON(w, http.StatusOK, items)
}

// slugs returns one page of slugs and the cursor of the next one.
func (s *server) slugs(w http.ResponseWriter, r *http.Request) {
	lots, ok := namespace(w, "LOTS")
	if !ok {
		return
	}
	res, err := lots.List(&cloudflare.KVNamespaceListOptions{Prefix: "slug:", Cursor: r.URL.Query().Get("cursor"), Limit: 500})
	if err != nil {
		http.Error(w, "listing failed", http.StatusBadGateway)
		return
	}
	out := struct {
		Slugs  []string `json:"slugs"`
		Cursor string   `json:"cursor,omitempty"`
	}{Slugs: make([]string, 0, len(res.Keys))}
	for _, k := range res.Keys {
		out.Slugs = append(out.Slugs, strings.TrimPrefix(k.Name, "slug:"))
	}
	if !res.ListComplete {
		out.Cursor = res.Cursor
	}
	writeJSON(w, http.StatusOK, out)
}
