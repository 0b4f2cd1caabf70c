//go:build js && wasm

// Package edge is the Worker: unsubscribe links, the preference center,
// open tracking, rendered-template cache and the scheduled jobs.
package edge

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"

	"wryneck/internal/opt"
	"wryneck/worker/edgekv"
)

// linkLifetime is how long an unsubscribe link stays valid after use, so a
// second click shows "already unsubscribed" instead of an error.
const linkLifetime = 7 * 24 * time.Hour

type unsubscribeLink struct {
	ListID    string     `json:"list_id"`
	Email     string     `json:"email"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// unsubscribeHandler serves the one-click unsubscribe link (RFC 8058).
type unsubscribeHandler struct {
	links *edgekv.Namespace
	prefs *edgekv.Namespace
}

func (h unsubscribeHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	tok := r.PathValue("token")
	raw, err := h.links.GetString("unsub:"+tok, nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if raw == "" { // EXPECT kvnull
		http.Error(w, "unknown link", http.StatusNotFound)
		return
	}
	var link unsubscribeLink
	if err := json.Unmarshal([]byte(raw), &link); err != nil {
		http.Error(w, "unknown link", http.StatusNotFound)
		return
	}
	if link.RevokedAt != nil {
		w.Write([]byte("You are already unsubscribed."))
		return
	}
	now := time.Now().UTC()
	link.RevokedAt = &now
	b, _ := json.Marshal(link)
	if err := h.links.PutString("unsub:"+tok, string(b), &cloudflare.KVNamespacePutOptions{ExpirationTTL: opt.Seconds(linkLifetime)}); err != nil { // EXPECT kvsession|kvrace
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	pref, _ := json.Marshal(map[string]any{"list_id": link.ListID, "email": link.Email, "deleted": true, "revoked_at": now})
	if err := h.prefs.PutString("sub:"+link.ListID+":"+link.Email, string(pref), nil); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.Write([]byte("You have been unsubscribed."))
}

// unsubscribeGuard throttles link guessing per client address.
type unsubscribeGuard struct {
	counters *cloudflare.KVNamespace
	next     http.Handler
}

func (g unsubscribeGuard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ip := r.Header.Get("CF-Connecting-IP")
	key := "ratelimit:unsub:" + ip
	raw, _ := g.counters.GetString(key, nil) // EXPECT kvnull
	n, _ := strconv.Atoi(raw)
	if n >= 30 {
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	}
	_ = g.counters.PutString(key, strconv.Itoa(n+1), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 600}) // EXPECT kvcounter|kvrace
	g.next.ServeHTTP(w, r)
}

// prefsSession is the preference-center session created from a magic link.
type prefsSession struct {
	ListID   string    `json:"list_id"`
	Email    string    `json:"email"`
	LastSeen time.Time `json:"last_seen"`
}

// preferenceCenter serves the subscriber-facing preference page.
type preferenceCenter struct {
	sessions *edgekv.Namespace
	prefs    *edgekv.Namespace
}

func (p preferenceCenter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie("wry_prefs")
	if err != nil {
		http.Redirect(w, r, "/preferences/login", http.StatusSeeOther)
		return
	}
	ctx := r.Context()
	key := "prefsess:" + c.Value
	raw, ok, err := p.sessions.Text(ctx, key, nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if !ok {
		http.Redirect(w, r, "/preferences/login", http.StatusSeeOther)
		return
	}
	var s prefsSession
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		http.Redirect(w, r, "/preferences/login", http.StatusSeeOther)
		return
	}
	s.LastSeen = time.Now().UTC()
	b, _ := json.Marshal(s)
	if err := p.sessions.Put(ctx, key, string(b), 30*time.Minute); err != nil { // EXPECT kvsession|kvrace
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	body, ok, err := p.prefs.Text(ctx, "sub:"+s.ListID+":"+s.Email, opt30s)
	if err != nil || !ok {
		http.Error(w, "preferences unavailable", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(body))
}

var opt30s = func() *time.Duration { d := 30 * time.Second; return &d }()

// openPixel records that a campaign mail was opened.
type openPixel struct {
	stats *cloudflare.KVNamespace
}

var gif = []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")

func (o openPixel) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	campaign := r.PathValue("campaign")
	stamp := time.Now().UTC().Format(time.RFC3339)
	_ = o.stats.PutString("opens:last:"+campaign+":"+r.PathValue("recipient"), stamp, &cloudflare.KVNamespacePutOptions{ExpirationTTL: 90 * 24 * 3600})
	_ = o.stats.PutString("stats:last-open", stamp, nil) // EXPECT kvhotkey
	w.Header().Set("Content-Type", "image/gif")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(gif)
}
