//go:build js && wasm

// Package edge holds the handlers that talk to the KV binding directly,
// because they sit on the hot path in front of the application services.
package edge

import (
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/sundial/internal/clock"
	"example.com/sundial/internal/keys"
)

// null is syscall/js's rendering of a JavaScript null.
const null = "<null>"

// previewTTL is how long a draft preview link works.
const previewTTL = 48 * time.Hour

// GetJSON reads key and decodes it. ok is false when the key does not exist.
func GetJSON[T any](ns *kv.Namespace, key string, opts *kv.GetOptions) (v T, ok bool, err error) {
	raw, err := ns.GetString(key, opts)
	if err != nil {
		return v, false, err
	}
	if raw == null {
		return v, false, nil
	}
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return v, false, err
	}
	return v, true, nil
}

// PutJSON encodes v and writes it at key.
func PutJSON[T any](ns *kv.Namespace, key string, v T, opts *kv.PutOptions) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return ns.PutString(key, string(b), opts)
}

// Handlers serves the edge endpoints.
type Handlers struct {
	NS     func() (*kv.Namespace, error)
	Clock  clock.Clock
	Log    *slog.Logger
	Cookie string
}

func (h *Handlers) namespace(w http.ResponseWriter) (*kv.Namespace, bool) {
	ns, err := h.NS()
	if err != nil {
		h.Log.Error("kv binding unavailable", "error", err)
		http.Error(w, "storage unavailable", http.StatusServiceUnavailable)
		return nil, false
	}
	return ns, true
}

// Maintenance answers 503 for every request while maintenance mode is on.
func (h *Handlers) Maintenance(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ns, ok := h.namespace(w)
		if !ok {
			return
		}
		if maintenanceOn(ns) && !strings.HasPrefix(r.URL.Path, "/internal/") {
			w.Header().Set("Retry-After", "300")
			http.Error(w, "sundial is down for maintenance", http.StatusServiceUnavailable)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func maintenanceOn(ns *kv.Namespace) bool {
	v, err := ns.GetString("config:maintenance", nil)
	return err == nil && v != "" // EXPECT kvnull
}

// Logout ends the organiser's session.
func (h *Handlers) Logout(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(h.Cookie)
	if err != nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	ns, ok := h.namespace(w)
	if !ok {
		return
	}
	if err := ns.Delete(keys.Session(c.Value).String()); err != nil { // EXPECT kvsession
		h.Log.Error("logout", "error", err)
	}
	http.SetCookie(w, &http.Cookie{Name: h.Cookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: true})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// Health reports liveness and records when the Worker was last reached.
func (h *Handlers) Health(w http.ResponseWriter, r *http.Request) {
	ns, ok := h.namespace(w)
	if !ok {
		return
	}
	now := h.Clock.Now().Format(time.RFC3339)
	if err := ns.PutString("health:last-seen", now, nil); err != nil { // EXPECT kvhotkey
		h.Log.Warn("health stamp", "error", err)
	}
	w.Header().Set("Content-Type", "text/plain")
	io.WriteString(w, "ok "+now+"\n")
}

// Sessions lists one page of live sessions for the support console.
func (h *Handlers) Sessions(w http.ResponseWriter, r *http.Request) {
	ns, ok := h.namespace(w)
	if !ok {
		return
	}
	res, err := ns.List(&kv.ListOptions{
		Prefix: keys.PrefixSession,
		Cursor: r.URL.Query().Get("cursor"),
		Limit:  5000, // EXPECT kvlimits
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	out := struct {
		IDs    []string `json:"ids"`
		Cursor string   `json:"cursor,omitempty"`
	}{}
	for _, k := range res.Keys {
		out.IDs = append(out.IDs, strings.TrimPrefix(k.Name, keys.PrefixSession))
	}
	if !res.ListComplete {
		out.Cursor = res.Cursor
	}
	writeJSON(w, out)
}

// Pass streams the ticket pass of an order.
func (h *Handlers) Pass(w http.ResponseWriter, r *http.Request) {
	ns, ok := h.namespace(w)
	if !ok {
		return
	}
	body, err := ns.GetReader("pass:"+r.PathValue("order"), nil) // EXPECT kvnull
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "private, max-age=300")
	io.Copy(w, body)
}

type preview struct {
	EventID string    `json:"event_id"`
	By      string    `json:"by"`
	Created time.Time `json:"created"`
}

// CreatePreview issues a shareable link to a draft event.
func (h *Handlers) CreatePreview(w http.ResponseWriter, r *http.Request) {
	ns, ok := h.namespace(w)
	if !ok {
		return
	}
	token := strings.ToLower(rand.Text())
	p := preview{EventID: r.PathValue("event"), By: r.Header.Get("X-Organiser"), Created: h.Clock.Now()}
	err := PutJSON(ns, "preview:"+token, p, &kv.PutOptions{
		ExpirationTTL: int(previewTTL), // EXPECT kvttl
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	writeJSON(w, map[string]string{"url": "/preview/" + token})
}

// VenueCard serves the JSON card of a venue, cached at the edge for five
// minutes.
func (h *Handlers) VenueCard(w http.ResponseWriter, r *http.Request) {
	ns, ok := h.namespace(w)
	if !ok {
		return
	}
	card, found, err := GetJSON[json.RawMessage](ns, keys.Venue(r.PathValue("slug")).String(), &kv.GetOptions{CacheTTL: 300})
	switch {
	case err != nil:
		http.Error(w, err.Error(), http.StatusBadGateway)
	case !found:
		http.NotFound(w, r)
	default:
		writeJSON(w, card)
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
