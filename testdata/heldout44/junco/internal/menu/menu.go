//go:build js && wasm

// Package menu serves the published menu, opening hours and holiday
// closures. The back office publishes them to KV through the REST API.
package menu

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"junco/internal/config"
	"junco/internal/edgekv"
	"junco/internal/keys"
)

// Hours is the weekly opening schedule, keyed by weekday ("mon".."sun").
type Hours struct {
	Timezone string                                    `json:"tz"`
	Days     map[string][]struct{ Open, Close string } `json:"days"`
}

type Handler struct {
	Binding       string
	Cfg           config.Config
	DefaultLocale string
}

func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /menu/{locale}", h.menu)
	mux.HandleFunc("GET /hours", h.hours)
	mux.HandleFunc("GET /closures/{year}", h.closures)
	mux.HandleFunc("GET /banner", h.banner)
}

func (h *Handler) menu(w http.ResponseWriter, r *http.Request) {
	locale := r.PathValue("locale")
	st, err := edgekv.Open(h.Binding)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	ns := st.Namespace()
	opts := &kv.GetOptions{CacheTTL: 300}
	body, err := ns.GetString(keys.Menu(h.Cfg.RestaurantID, locale), opts)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if body == edgekv.Null && locale != h.DefaultLocale {
		body, err = ns.GetString(keys.Menu(h.Cfg.RestaurantID, h.DefaultLocale), opts)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
	}
	if body == edgekv.Null {
		http.NotFound(w, r)
		return
	}
	_ = ns.PutString(keys.MenuLastServed, time.Now().UTC().Format(time.RFC3339), nil) // EXPECT kvhotkey
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, body)
}

func (h *Handler) hours(w http.ResponseWriter, r *http.Request) {
	st, err := edgekv.Open(h.Binding)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	opts := &kv.GetOptions{CacheTTL: 20}                                       // EXPECT kvttl
	raw, err := st.Namespace().GetString(keys.Hours(h.Cfg.RestaurantID), opts) // EXPECT kvnull
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	var hrs Hours
	if err := json.Unmarshal([]byte(raw), &hrs); err != nil {
		http.Error(w, "hours unavailable", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=300")
	json.NewEncoder(w).Encode(hrs)
}

func (h *Handler) closures(w http.ResponseWriter, r *http.Request) {
	year, err := strconv.Atoi(r.PathValue("year"))
	if err != nil {
		http.Error(w, "bad year", http.StatusBadRequest)
		return
	}
	st, err := edgekv.Open(h.Binding)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	v, err := st.Namespace().GetString(keys.Closures(h.Cfg.RestaurantID, year), &kv.GetOptions{CacheTTL: 3600})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if v == "" || v == "null" { // EXPECT kvnull
		json.NewEncoder(w).Encode([]string{})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, v)
}

// banner returns the site-wide announcement, if any.
func (h *Handler) banner(w http.ResponseWriter, r *http.Request) {
	st, err := edgekv.Open(h.Binding)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	text, ok, err := st.GetCached(keys.SiteBanner, 5*time.Minute)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if !ok {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	io.WriteString(w, text)
}
