//go:build js && wasm

// Package edge is the Cloudflare Worker in front of the auction house: public
// lot pages, sale listings, the bid intake endpoint and the phone verification
// step. Bids are recorded in D1; KV holds the read-shaped projections.
package edge

import (
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"net/url"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/d1"
	"github.com/syumai/workers/cloudflare/fetch"
)

const null = "<null>"

type server struct {
	client *http.Client
}

// NewHandler returns the Worker's router.
func NewHandler() http.Handler {
	s := &server{client: fetch.NewClient().HTTPClient(fetch.RedirectModeFollow)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /lots", s.lotIndex)
	mux.HandleFunc("GET /lots/{slug}", s.lotPage)
	mux.HandleFunc("GET /lots/{id}/ticker", s.ticker)
	mux.HandleFunc("POST /lots/{id}/bids", s.intake)
	mux.HandleFunc("GET /sales/{sale}/lots", s.saleLots)
	mux.HandleFunc("GET /closing", s.closing)
	mux.HandleFunc("GET /api/slugs", s.slugs)
	mux.HandleFunc("POST /verify", s.verify)
	return mux
}

func namespace(w http.ResponseWriter, binding string) (*cloudflare.KVNamespace, bool) {
	ns, err := cloudflare.NewKVNamespace(binding)
	if err != nil {
		http.Error(w, "storage unavailable", http.StatusServiceUnavailable)
		return nil, false
	}
	return ns, true
}

func openDB() (*sql.DB, error) {
	c, err := d1.OpenConnector("DB")
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(c), nil
}

// origin fetches a path from the PocketBase catalogue.
func (s *server) origin(path string) (string, int, error) {
	res, err := s.client.Get(cloudflare.Getenv("ORIGIN_URL") + path)
	if err != nil {
		return "", 0, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return string(b), res.StatusCode, err
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func escape(s string) string { return url.PathEscape(s) }
