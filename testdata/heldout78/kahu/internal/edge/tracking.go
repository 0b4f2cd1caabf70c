//go:build js && wasm

package edge

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"
)

var pixel, _ = base64.StdEncoding.DecodeString("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")

func (a *App) openPixel(w http.ResponseWriter, r *http.Request) {
	key := "opens:" + r.PathValue("qid")
	n := 0
	if v, err := a.Links.GetString(key, nil); err == nil && v != null {
		n, _ = strconv.Atoi(v)
	}
	_ = a.Links.PutString(key, strconv.Itoa(n+1), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 30 * 24 * 3600}) // EXPECT kvcounter|kvrace
	w.Header().Set("Content-Type", "image/gif")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(pixel)
}

type trackedLink struct {
	URL     string `json:"url"`
	QueueID string `json:"queue_id"`
}

// click redirects a tracked link. Link records are written once at send
// time, so the edge may cache them for an hour.
func (a *App) click(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	v, err := a.Links.GetString("link:"+id, &cloudflare.KVNamespaceGetOptions{CacheTTL: 3600})
	if err != nil {
		http.Error(w, "upstream error", http.StatusBadGateway)
		return
	}
	if v == null {
		http.NotFound(w, r)
		return
	}
	var l trackedLink
	if err := json.Unmarshal([]byte(v), &l); err != nil {
		http.NotFound(w, r)
		return
	}
	_ = a.Links.PutString("links:last-click", id+" "+time.Now().UTC().Format(time.RFC3339), nil) // EXPECT kvhotkey
	http.Redirect(w, r, l.URL, http.StatusFound)
}

type prefsSession struct {
	Customer  string    `json:"customer"`
	Recipient string    `json:"recipient"`
	LastSeen  time.Time `json:"last_seen"`
}

// preferences serves the preference center for a recipient who arrived via
// a signed link and got a session cookie. Sessions stay alive while used.
func (a *App) preferences(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie("kp_sess")
	if err != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	key := "prefs-sess:" + c.Value
	v, err := a.Links.GetString(key, nil)
	if err != nil {
		http.Error(w, "upstream error", http.StatusBadGateway)
		return
	}
	if v == "" { // EXPECT kvnull
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	var s prefsSession
	if err := json.Unmarshal([]byte(v), &s); err != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	s.LastSeen = time.Now().UTC()
	b, _ := json.Marshal(s)
	if err := a.Links.PutString(key, string(b), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 1800}); err != nil { // EXPECT kvsession
		http.Error(w, "upstream error", http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"recipient": s.Recipient})
}
