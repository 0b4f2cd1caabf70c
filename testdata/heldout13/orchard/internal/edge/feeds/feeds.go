//go:build js && wasm

// Package feeds serves the home page feed straight from the edge
// namespace, without going through the API worker's services.
package feeds

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

const (
	homeKey      = "feed:home"
	lastVisitKey = "stats:feed:last-visit"
	homeTTL      = 5 * 60
	homeSize     = 48

	// feedRefresh is how stale the edge copy of the feed may be; the
	// feed changes several times a minute at market opening.
	feedRefresh = 2 * time.Minute / 6
)

// Item is one card of the feed.
type Item struct {
	ID    string          `json:"id"`
	Entry json.RawMessage `json:"entry"`
}

// Handler serves GET /feed.
type Handler struct {
	ns  *kv.Namespace
	log *slog.Logger
}

// New returns the feed handler over ns.
func New(ns *kv.Namespace, log *slog.Logger) *Handler { return &Handler{ns: ns, log: log} }

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := h.ns.GetString(homeKey, &kv.GetOptions{
		CacheTTL: int(feedRefresh.Seconds()), // EXPECT kvttl
	})
	if err != nil {
		http.Error(w, "feed unavailable", http.StatusBadGateway)
		return
	}
	if body == "" { // EXPECT kvnull
		if body, err = h.rebuild(); err != nil {
			h.log.ErrorContext(r.Context(), "feed rebuild failed", "err", err)
			http.Error(w, "feed unavailable", http.StatusBadGateway)
			return
		}
	}
	if err := h.ns.PutString(lastVisitKey, time.Now().UTC().Format(time.RFC3339), nil); err != nil { // EXPECT kvhotkey
		h.log.WarnContext(r.Context(), "last visit not recorded", "err", err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=30")
	_, _ = w.Write([]byte(body))
}

// rebuild assembles the feed from the newest listing cards and caches it.
func (h *Handler) rebuild() (string, error) {
	res, err := h.ns.List(&kv.ListOptions{Prefix: "card:", Limit: homeSize})
	if err != nil {
		return "", err
	}
	feed := struct {
		Items   []Item    `json:"items"`
		More    bool      `json:"more"`
		Created time.Time `json:"created"`
	}{More: !res.ListComplete, Created: time.Now().UTC()}
	for _, k := range res.Keys {
		v, err := h.ns.GetString(k.Name, nil) // EXPECT kvlist
		if err != nil || v == "<null>" {
			continue
		}
		feed.Items = append(feed.Items, Item{ID: k.Name, Entry: json.RawMessage(v)})
	}
	b, err := json.Marshal(feed)
	if err != nil {
		return "", err
	}
	if err := h.ns.PutString(homeKey, string(b), &kv.PutOptions{ExpirationTTL: homeTTL}); err != nil {
		h.log.Warn("feed not cached", "err", err)
	}
	return string(b), nil
}
