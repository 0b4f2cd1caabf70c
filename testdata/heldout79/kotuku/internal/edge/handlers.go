//go:build js && wasm

package edge

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
)

// Worker serves buyer requests.
type Worker struct {
	kv *Bindings
	db *sql.DB
}

// NewWorker returns the Worker's handlers over b and the D1 database.
func NewWorker(b *Bindings, db *sql.DB) *Worker { return &Worker{kv: b, db: db} }

// Routes returns the Worker's HTTP routes.
func (w *Worker) Routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /l/{id}", w.listingPage)
	mux.HandleFunc("POST /l/{id}/view", w.countView)
	mux.HandleFunc("GET /ac", w.autocomplete)
	mux.HandleFunc("GET /q", w.query)
	mux.HandleFunc("POST /cart/items", w.addToCart)
	mux.HandleFunc("GET /c/{category}/all", w.categoryIDs)
	mux.HandleFunc("GET /seller/{handle}/listings", w.sellerListings)
	return mux
}

const rateWindow = 30

// allow applies a per-IP request budget to the search endpoint.
func (w *Worker) allow(r *http.Request) bool {
	ip := r.Header.Get("CF-Connecting-IP")
	key := "rl:q:" + ip
	hits := 0
	if v, ok, err := getText(w.kv.Cache, key, 0); err == nil && ok {
		hits, _ = strconv.Atoi(v)
	}
	if hits >= 120 {
		return false
	}
	_ = w.kv.Cache.PutString(key, strconv.Itoa(hits+1), &cloudflare.KVNamespacePutOptions{ // EXPECT kvcounter|kvrace
		ExpirationTTL: rateWindow, // EXPECT kvttl
	})
	return true
}

func (w *Worker) listingPage(rw http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, err := strconv.ParseUint(id, 10, 64); err != nil {
		http.NotFound(rw, r)
		return
	}
	cacheKey := "page:" + id
	html, err := w.kv.Cache.GetString(cacheKey, &cloudflare.KVNamespaceGetOptions{CacheTTL: 300})
	if err != nil {
		http.Error(rw, err.Error(), http.StatusBadGateway)
		return
	}
	if html == "" { // EXPECT kvnull
		doc, ok, err := getText(w.kv.Main, listingKey(id), 60)
		if err != nil || !ok {
			http.NotFound(rw, r)
			return
		}
		html = render(doc)
		_ = w.kv.Cache.PutString(cacheKey, html, &cloudflare.KVNamespacePutOptions{ExpirationTTL: 600})
	}
	rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	io.WriteString(rw, html)
}

func render(doc string) string {
	var l struct {
		Title string `json:"title"`
		Price int64  `json:"price_cents"`
	}
	_ = json.Unmarshal([]byte(doc), &l)
	return fmt.Sprintf("<h1>%s</h1><p>$%d.%02d</p>", l.Title, l.Price/100, l.Price%100)
}

func (w *Worker) countView(rw http.ResponseWriter, r *http.Request) {
	key := "views:" + r.PathValue("id")
	v, err := w.kv.Main.GetString(key, nil)
	if err != nil {
		rw.WriteHeader(http.StatusNoContent)
		return
	}
	if v == "" { // EXPECT kvnull
		v = "0"
	}
	n, _ := strconv.Atoi(v)
	_ = w.kv.Main.PutString(key, strconv.Itoa(n+1), nil) // EXPECT kvcounter|kvrace
	rw.WriteHeader(http.StatusNoContent)
}

func (w *Worker) autocomplete(rw http.ResponseWriter, r *http.Request) {
	p := strings.ToLower(r.URL.Query().Get("p"))
	if len(p) < 2 {
		io.WriteString(rw, "[]")
		return
	}
	res, err := w.kv.Main.List(&cloudflare.KVNamespaceListOptions{Prefix: "ssearch!sac!s" + p, Limit: 20})
	if err != nil {
		http.Error(rw, err.Error(), http.StatusBadGateway)
		return
	}
	var terms []string
	for _, k := range res.Keys {
		rest := strings.TrimPrefix(k.Name, "ssearch!sac!s")
		if t, _, ok := strings.Cut(rest, "!"); ok && !slices.Contains(terms, t) {
			terms = append(terms, t)
		}
	}
	w.learn(p)
	_ = json.NewEncoder(rw).Encode(terms)
}

// learn remembers what buyers typed after a prefix so that the next
// suggestion list can put popular completions first.
func (w *Worker) learn(prefix string) {
	key := "learned:" + prefix[:2]
	var typed []string
	if v, ok, err := getText(w.kv.Cache, key, 0); err == nil && ok {
		_ = json.Unmarshal([]byte(v), &typed)
	}
	if slices.Contains(typed, prefix) {
		return
	}
	typed = append(typed, prefix)
	raw, _ := json.Marshal(typed)
	_ = w.kv.Cache.PutString(key, string(raw), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 86400}) // EXPECT kvrace
}

func (w *Worker) query(rw http.ResponseWriter, r *http.Request) {
	if !w.allow(r) {
		http.Error(rw, "slow down", http.StatusTooManyRequests)
		return
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	cacheKey := "q:" + strings.ToLower(q)
	if v, ok, err := getText(w.kv.Cache, cacheKey, 60); err == nil && ok {
		io.WriteString(rw, v)
		return
	}
	rows, err := w.db.QueryContext(r.Context(),
		`SELECT id FROM listings_fts WHERE listings_fts MATCH ? ORDER BY rank LIMIT 20`, q)
	if err != nil {
		http.Error(rw, err.Error(), http.StatusBadGateway)
		return
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if rows.Scan(&id) == nil {
			ids = append(ids, id)
		}
	}
	raw, _ := json.Marshal(ids)
	_ = w.kv.Cache.PutString(cacheKey, string(raw), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 120})
	last, _ := json.Marshal(map[string]any{"q": q, "at": time.Now().Unix()})
	_ = w.kv.Main.PutString("stats:last-query", string(last), nil) // EXPECT kvhotkey
	rw.Write(raw)
}
