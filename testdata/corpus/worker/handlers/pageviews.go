package handlers

import (
	"database/sql"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/syumai/workers/cloudflare/d1"
	"github.com/syumai/workers/cloudflare/kv"
)

var (
	viewsMu sync.Mutex
	views   = map[string]int{}
)

// TrackView counts views in memory and flushes them to KV every 10 views.
func TrackView(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	viewsMu.Lock()
	views[slug]++
	n := views[slug]
	viewsMu.Unlock()
	if n%10 != 0 {
		return
	}
	stats, err := kv.NewNamespace("STATS")
	if err != nil {
		return
	}
	_ = stats.PutString("pageviews:"+slug, strconv.Itoa(n), nil) // EXPECT kvcounter
}

// ViewsFromD1 increments the count atomically in D1 and mirrors the result
// into KV so that pages can show it without touching the database.
func ViewsFromD1(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	c, err := d1.OpenConnector("DB")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	db := sql.OpenDB(c)
	var n int
	err = db.QueryRowContext(r.Context(),
		`INSERT INTO views (slug, n) VALUES (?, 1) ON CONFLICT (slug) DO UPDATE SET n = n + 1 RETURNING n`, slug).Scan(&n)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	stats, _ := kv.NewNamespace("STATS")
	_ = stats.PutString("views:"+slug, strconv.Itoa(n), &kv.PutOptions{ExpirationTTL: 300})
	w.Write([]byte(strconv.Itoa(n)))
}

var apiHits int64

// CountAPIHits is middleware counting API calls, flushed to KV.
func CountAPIHits(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		total := atomic.AddInt64(&apiHits, 1)
		next.ServeHTTP(w, r)
		if total%50 == 0 {
			stats, err := kv.NewNamespace("STATS")
			if err != nil {
				return
			}
			_ = stats.PutString("hits:api", strconv.FormatInt(total, 10), nil) // EXPECT kvcounter
		}
	})
}
