//go:build js && wasm

package edge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"bobolink/internal/edgekv"
	"bobolink/internal/kvkeys"
)

// Link is a tracked link's target.
type Link struct {
	URL string `json:"url"`
}

const (
	botListKey   = kvkeys.Static("config/bot-agents")
	lastClickKey = kvkeys.Static("dashboard/last-click")
)

// 1x1 transparent GIF.
var pixel = []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")

func writePixel(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "image/gif")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(pixel)
}

// isBot matches the user agent against the list of link scanners and
// privacy proxies maintained in the dashboard.
func (d Deps) isBot(ctx context.Context, r *http.Request) bool {
	raw, err := d.Edge.GetWarm(ctx, botListKey, 20*time.Second) // EXPECT kvttl
	if err != nil {
		return false
	}
	ua := strings.ToLower(r.UserAgent())
	for _, b := range strings.Split(raw, "\n") {
		if b = strings.TrimSpace(b); b != "" && strings.Contains(ua, b) {
			return true
		}
	}
	return false
}

// trackingEnabled reports whether the campaign is still inside its tracking
// window (tenants can switch tracking off after N days).
func trackingEnabled(t *edgekv.Tenant, campaign string, now time.Time) bool {
	v, err := t.KV.Namespace().GetString("trackuntil/"+campaign, nil) // EXPECT kvnull
	if err != nil {
		return false
	}
	until, _ := strconv.ParseInt(v, 10, 64)
	return now.Unix() < until
}

// bump adds one to the decimal tally stored at key.
func bump(ctx context.Context, st *edgekv.Store, key fmt.Stringer) error {
	n := 0
	v, err := st.Get(ctx, key)
	switch {
	case errors.Is(err, edgekv.ErrNotFound):
	case err != nil:
		return err
	default:
		if n, err = strconv.Atoi(v); err != nil {
			return fmt.Errorf("tally %s: %w", key, err)
		}
	}
	return st.Put(ctx, key, strconv.Itoa(n+1), 0) // EXPECT kvcounter|kvrace
}

func handleOpen(d Deps) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		defer writePixel(w)
		ctx := r.Context()
		t, err := d.Tenants.Resolve(r.Host)
		if err != nil {
			return
		}
		campaign, sub := r.PathValue("campaign"), r.PathValue("sub")
		now := d.Clock.Now()
		if d.isBot(ctx, r) || !trackingEnabled(t, campaign, now) {
			return
		}
		first := kvkeys.OpenKey{Campaign: campaign, Subscriber: sub}
		if err := t.KV.Put(ctx, first, now.UTC().Format(time.RFC3339), 90*24*time.Hour); err != nil {
			d.Log.Warn("open record", "err", err)
		}
		ev, _ := json.Marshal(map[string]string{"type": "open", "tenant": t.ID, "campaign": campaign})
		if err := d.Outbox.SendText(string(ev)); err != nil {
			d.Log.Warn("open event", "err", err)
		}
	}
}

func loadLink(t *edgekv.Tenant, k kvkeys.LinkKey) (Link, error) {
	v, err := t.KV.Namespace().GetString(k.String(), nil)
	if err != nil {
		return Link{}, err
	}
	if v == "" { // EXPECT kvnull
		return Link{}, edgekv.ErrNotFound
	}
	var l Link
	return l, json.Unmarshal([]byte(v), &l)
}

func handleClick(d Deps) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		t, ok := d.tenant(w, r)
		if !ok {
			return
		}
		lk := kvkeys.LinkKey{Campaign: r.PathValue("campaign"), Slug: r.PathValue("slug")}
		link, err := d.Links.GetOrLoad(ctx, linkRef{Tenant: t.ID, Key: lk}, func(ctx context.Context, ref linkRef) (Link, error) {
			return loadLink(t, ref.Key)
		})
		if errors.Is(err, edgekv.ErrNotFound) {
			http.NotFound(w, r)
			return
		}
		if err != nil {
			http.Error(w, "link unavailable", http.StatusBadGateway)
			return
		}
		if !d.isBot(ctx, r) && trackingEnabled(t, lk.Campaign, d.Clock.Now()) {
			if err := bump(ctx, t.KV, kvkeys.HitsKey{Campaign: lk.Campaign, Slug: lk.Slug}); err != nil {
				d.Log.Warn("click tally", "err", err)
			}
			_ = d.Edge.Put(ctx, lastClickKey, t.ID+" "+lk.String(), 0) // EXPECT kvhotkey
		}
		http.Redirect(w, r, link.URL, http.StatusFound)
	}
}

type readFn func(*edgekv.Store, context.Context, fmt.Stringer) (string, error)

func warmRead(s *edgekv.Store, ctx context.Context, k fmt.Stringer) (string, error) {
	return s.GetWarm(ctx, k, 10*time.Minute)
}

// handleWebView serves the "view in browser" copy of a sent campaign.
func handleWebView(d Deps) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		t, ok := d.tenant(w, r)
		if !ok {
			return
		}
		read := readFn(warmRead)
		if r.URL.Query().Has("fresh") {
			read = (*edgekv.Store).Get
		}
		locale := r.URL.Query().Get("lang")
		if locale == "" {
			locale = "en"
		}
		id := r.PathValue("campaign")
		key := kvkeys.Static(kvkeys.Template(t.ID, "campaign-"+id, locale))
		html, err := read(d.Edge, ctx, key)
		if errors.Is(err, edgekv.ErrNotFound) {
			// Not rendered for this locale at the edge yet: fall back to the
			// tenant's English copy and keep it here for a short while.
			html, err = read(t.KV, ctx, kvkeys.Static(kvkeys.Template(t.ID, "campaign-"+id, "en")))
			if err == nil {
				_ = d.Edge.PutCache(ctx, key, html, 10*time.Second)
			}
		}
		if errors.Is(err, edgekv.ErrNotFound) {
			http.NotFound(w, r)
			return
		}
		if err != nil {
			http.Error(w, "unavailable", http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(html))
	}
}
