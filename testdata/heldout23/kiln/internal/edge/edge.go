//go:build js && wasm

// Package edge is the storefront Worker: it serves studio pages, feature
// flags and the shopping cart from the KV binding at the edge.
package edge

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// Binding is the KV binding name in wrangler.toml.
const Binding = "KILN_EDGE"

// missing is what GetString returns for an absent key: the JS null rendered
// as a Go string.
const missing = "<null>"

// Server handles storefront requests.
type Server struct {
	ns   *kv.Namespace
	text textReader
}

// textReader reads a text value from the namespace.
type textReader func(key string) (string, error)

// New binds the server to the namespace.
func New() (*Server, error) {
	ns, err := kv.NewNamespace(Binding)
	if err != nil {
		return nil, err
	}
	s := &Server{ns: ns}
	s.text = s.readText
	return s, nil
}

func (s *Server) readText(key string) (string, error) {
	return s.ns.GetString(key, &kv.GetOptions{CacheTTL: 300})
}

// Handler routes storefront requests.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /s/{slug}", s.studioPage)
	mux.HandleFunc("GET /flags/{name}", s.flag)
	mux.HandleFunc("POST /cart/{sid}/items", s.addToCart)
	mux.HandleFunc("GET /banner", s.banner)
	mux.HandleFunc("GET /gallery/{studio}", s.gallery)
	mux.HandleFunc("POST /s/{slug}/view", s.view)
	return mux
}

func (s *Server) studioPage(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	html, err := s.text("page:" + slug) // EXPECT kvnull
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	if html == "" {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = s.ns.PutString("edge:last-page", slug+" "+time.Now().UTC().Format(time.RFC3339), nil) // EXPECT kvhotkey
	io.WriteString(w, html)
}

func (s *Server) flag(w http.ResponseWriter, r *http.Request) {
	v, err := s.ns.GetString("flag:"+r.PathValue("name"), nil) // EXPECT kvnull
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	if v == "" {
		v = "false"
	}
	on, _ := strconv.ParseBool(v)
	fmt.Fprintf(w, `{"enabled":%t}`, on)
}

// Item is a cart line.
type Item struct {
	SKU   string `json:"sku"`
	Qty   int    `json:"qty"`
	Cents int64  `json:"cents"`
}

func (s *Server) addToCart(w http.ResponseWriter, r *http.Request) {
	var it Item
	if err := json.NewDecoder(r.Body).Decode(&it); err != nil || it.Qty < 1 {
		http.Error(w, "bad item", http.StatusBadRequest)
		return
	}
	key := "cart:" + r.PathValue("sid")
	raw, err := s.ns.GetString(key, nil)
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	var items []Item
	if raw != missing {
		if err := json.Unmarshal([]byte(raw), &items); err != nil {
			http.Error(w, "corrupt cart", http.StatusInternalServerError)
			return
		}
	}
	items = append(items, it)
	out, _ := json.Marshal(items)
	if err := s.ns.PutString(key, string(out), &kv.PutOptions{ExpirationTTL: 7 * 24 * 3600}); err != nil { // EXPECT kvsession
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) banner(w http.ResponseWriter, r *http.Request) {
	v, err := s.ns.GetString("banner", &kv.GetOptions{CacheTTL: 10}) // EXPECT kvttl
	if err != nil || v == missing {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	io.WriteString(w, v)
}

// Photo is one gallery image.
type Photo struct {
	URL     string `json:"url"`
	Caption string `json:"caption"`
}

func (s *Server) gallery(w http.ResponseWriter, r *http.Request) {
	rd, err := s.ns.GetReader("gallery:"+r.PathValue("studio"), nil) // EXPECT kvnull
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	var photos []Photo
	if err := json.NewDecoder(rd).Decode(&photos); err != nil {
		http.Error(w, "bad gallery", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(photos)
}

func (s *Server) view(w http.ResponseWriter, r *http.Request) {
	key := "views:" + r.PathValue("slug")
	v, err := s.ns.GetString(key, nil)
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	n := 0
	if v != missing {
		n, _ = strconv.Atoi(v)
	}
	_ = s.ns.PutString(key, strconv.Itoa(n+1), nil) // EXPECT kvcounter
	w.WriteHeader(http.StatusNoContent)
}
