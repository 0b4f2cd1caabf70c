//go:build js && wasm

// Package catalog serves catalogue search and item pages from the edge,
// with KV as a read-through cache in front of the ILS.
package catalog

import (
	"encoding/json"
	"log"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/syumai/workers/cloudflare"

	"github.com/riverside-libraries/towhee/internal/config"
	"github.com/riverside-libraries/towhee/internal/edgekv"
	"github.com/riverside-libraries/towhee/internal/keys"
	"github.com/riverside-libraries/towhee/internal/origin"
)

// defaultBrowseQuery is what the home page shows before a patron types
// anything: every format, every branch, newest first.
const defaultBrowseQuery = "facet.format=book&facet.format=ebook&facet.format=audiobook&facet.format=dvd&facet.format=bluray&facet.format=cd&facet.format=vinyl&facet.format=magazine&facet.format=boardgame&facet.format=kit" +
	"&facet.branch=central&facet.branch=riverside&facet.branch=eastgate&facet.branch=northfield&facet.branch=harbour&facet.branch=millbrook&facet.branch=westend&facet.branch=oakridge&facet.branch=bookmobile" +
	"&facet.audience=adult&facet.audience=teen&facet.audience=children&facet.language=eng&facet.language=spa&facet.language=fre&facet.language=ger&facet.language=chi&facet.language=ara" +
	"&facet.availability=on_shelf&facet.availability=on_order&sort=date_added_desc&include=cover,summary,availability,series&rows=48"

// Handler holds the catalogue routes. It is copied into each route.
type Handler struct {
	Binding string
	Cfg     config.Config
	ILS     origin.ILS
	Views   *ViewTally
}

// ViewTally counts item page views in this isolate between flushes.
type ViewTally struct {
	mu     sync.Mutex
	counts map[string]int
}

// NewViewTally returns an empty tally.
func NewViewTally() *ViewTally { return &ViewTally{counts: map[string]int{}} }

func (t *ViewTally) add(isbn string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.counts[isbn]++
	return t.counts[isbn]
}

// Register mounts the routes.
func (h Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /search", h.search)
	mux.HandleFunc("GET /browse", h.browse)
	mux.HandleFunc("GET /items/{isbn}", h.item)
	mux.HandleFunc("POST /items/{isbn}/views", h.view)
}

func (h Handler) search(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if q == "" {
		http.Error(w, "missing q", http.StatusBadRequest)
		return
	}
	branch := r.URL.Query().Get("branch")
	if branch == "" {
		branch = "all"
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	if page < 1 {
		page = 1
	}

	st, err := edgekv.Open(h.Binding)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	key := keys.Search(branch, q, page)
	if cached, ok, err := st.GetCached(key, 300); err == nil && ok {
		writeJSON(w, cached, "HIT")
		return
	}

	res, body, err := h.ILS.Search(r.Context(), branch, q, page)
	if err != nil {
		http.Error(w, "catalogue unavailable", http.StatusBadGateway)
		return
	}

	base := cloudflare.KVNamespacePutOptions{ExpirationTTL: h.Cfg.SearchSeconds()}
	if len(res.Hits) == 0 {
		neg := base
		neg.ExpirationTTL = 30 // EXPECT kvttl
		err = st.NS.PutString(key, string(body), &neg)
	} else {
		err = st.NS.PutString(key, string(body), &base)
	}
	if err != nil {
		log.Printf("search cache put %s: %v", key, err)
	}
	if err := st.NS.PutString("catalog:last-search", q, nil); err != nil { // EXPECT kvhotkey
		log.Printf("last-search: %v", err)
	}
	writeJSON(w, string(body), "MISS")
}

func (h Handler) browse(w http.ResponseWriter, r *http.Request) {
	st, err := edgekv.Open(h.Binding)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	v, err := st.NS.GetString(keys.SearchPrefix+"browse:"+defaultBrowseQuery, nil) // EXPECT kvlimits
	if err == nil && v != "<null>" {
		writeJSON(w, v, "HIT")
		return
	}
	body, err := h.ILS.Browse(r.Context(), defaultBrowseQuery)
	if err != nil {
		http.Error(w, "catalogue unavailable", http.StatusBadGateway)
		return
	}
	opts := cloudflare.KVNamespacePutOptions{ExpirationTTL: 900}
	if err := st.NS.PutString(keys.SearchPrefix+"browse:"+defaultBrowseQuery, string(body), &opts); err != nil { // EXPECT kvlimits
		log.Printf("browse cache put: %v", err)
	}
	writeJSON(w, string(body), "MISS")
}

func (h Handler) item(w http.ResponseWriter, r *http.Request) {
	isbn := r.PathValue("isbn")
	ns, err := cloudflare.NewKVNamespace(h.Binding)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	key := keys.Item(isbn)
	opts := cloudflare.KVNamespaceGetOptions{CacheTTL: 15} // EXPECT kvttl
	v, err := ns.GetString(key, &opts)
	if err == nil && v != "<null>" {
		writeJSON(w, v, "HIT")
		return
	}
	_, body, err := h.ILS.Item(r.Context(), isbn)
	if err != nil {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	st := &edgekv.Store{NS: ns, Binding: h.Binding}
	if err := st.Put(key, string(body), h.Cfg.ItemTTL); err != nil {
		log.Printf("item cache put %s: %v", key, err)
	}
	writeJSON(w, string(body), "MISS")
}

// view records an item page view for the "popular now" shelf.
func (h Handler) view(w http.ResponseWriter, r *http.Request) {
	isbn := r.PathValue("isbn")
	n := h.Views.add(isbn)
	ns, err := cloudflare.NewKVNamespace(h.Binding)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if err := ns.PutString("views:item:"+isbn, strconv.Itoa(n), nil); err != nil { // EXPECT kvcounter
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func writeJSON(w http.ResponseWriter, body string, cache string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Towhee-Cache", cache)
	_, _ = w.Write([]byte(body))
}

// decodeSearch is used by the queue consumer to extract the query from a
// search event.
func decodeSearch(body []byte) (string, error) {
	var ev struct {
		Query string `json:"q"`
	}
	err := json.Unmarshal(body, &ev)
	return strings.ToLower(strings.TrimSpace(ev.Query)), err
}
