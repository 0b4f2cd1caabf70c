//go:build js && wasm

// Package pages serves public event pages from the edge: event summaries,
// seat-map blobs, vanity links and the sitemap.
package pages

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/juniper/edge/kvbind"
	"example.com/juniper/internal/domain"
	"example.com/juniper/internal/keys"
)

// Origin fetches authoritative event data from the backend.
type Origin interface {
	Event(r *http.Request, id string) ([]byte, error)
}

// Pages holds the handlers.
type Pages struct {
	origin   Origin
	maxPages int
}

// New returns the page handlers.
func New(origin Origin) *Pages { return &Pages{origin: origin, maxPages: 8} }

// Register installs the handlers on mux.
func (p *Pages) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /e/{id}", p.event)
	mux.HandleFunc("GET /e/{id}/summary", p.summary)
	mux.HandleFunc("GET /e/{id}/seats.json", p.seatBlob)
	mux.HandleFunc("GET /e/{id}/seats/{section}", p.section)
	mux.HandleFunc("POST /e/{id}/slug", p.claimSlug)
	mux.HandleFunc("GET /s/{slug}", p.resolveSlug)
	mux.HandleFunc("GET /sitemap.txt", p.sitemap)
	mux.HandleFunc("GET /sitemap-full.txt", p.sitemapFull)
	mux.HandleFunc("POST /e/{id}/flash", p.flash)
	mux.HandleFunc("POST /e/{id}/banner", p.banner)
	mux.HandleFunc("POST /e/{id}/sections", p.refreshSections)
}

// event serves the cached event document, filling the cache from the origin
// on a miss.
func (p *Pages) event(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	k := "event:" + id
	ns := kvbind.Namespace()
	v, err := ns.GetString(k, &kv.GetOptions{CacheTTL: 300})
	if err == nil && !kvbind.IsMissing(v) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, v)
		return
	}
	body, err := p.origin.Event(r, id)
	if err != nil {
		http.Error(w, "event unavailable", http.StatusBadGateway)
		return
	}
	_ = ns.PutString(k, string(body), &kv.PutOptions{ExpirationTTL: 3600})
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

// summary serves the short description shown in link previews.
func (p *Pages) summary(w http.ResponseWriter, r *http.Request) {
	v, err := kvbind.Namespace().GetString("summary:"+r.PathValue("id"), nil)
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	if len(v) == 0 { // EXPECT kvnull
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, v)
}

// seatBlob streams the published seat map of an event.
func (p *Pages) seatBlob(w http.ResponseWriter, r *http.Request) {
	rd, err := kvbind.Namespace().GetReader("seatblob:"+r.PathValue("id"), nil) // EXPECT kvnull
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	var m domain.SeatMap
	if err := json.NewDecoder(rd).Decode(&m); err != nil {
		http.Error(w, "corrupt seat map", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(m)
}

// section serves one section of a seat map.
func (p *Pages) section(w http.ResponseWriter, r *http.Request) {
	raw, err := kvbind.Text(keys.SeatSection(r.PathValue("id"), r.PathValue("section"))) // EXPECT kvnull
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	var s domain.Section
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		http.Error(w, "corrupt section", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(s)
}

// claimSlug reserves a vanity short link for an event.
func (p *Pages) claimSlug(w http.ResponseWriter, r *http.Request) {
	slug := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("slug")))
	if slug == "" || len(slug) > 64 {
		http.Error(w, "bad slug", http.StatusBadRequest)
		return
	}
	ns := kvbind.Namespace()
	k := "slug:" + slug
	cur, err := ns.GetString(k, nil)
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	if !kvbind.IsMissing(cur) {
		http.Error(w, "slug taken", http.StatusConflict)
		return
	}
	if err := ns.PutString(k, r.PathValue("id"), nil); err != nil { // EXPECT kvrace
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusCreated)
}

func (p *Pages) resolveSlug(w http.ResponseWriter, r *http.Request) {
	id, ok, err := kvbind.Lookup("slug:"+r.PathValue("slug"), 600)
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	http.Redirect(w, r, "/e/"+id, http.StatusFound)
}

// sitemap lists event pages for crawlers, bounded to a few pages of keys.
func (p *Pages) sitemap(w http.ResponseWriter, r *http.Request) {
	ns := kvbind.Namespace()
	w.Header().Set("Content-Type", "text/plain")
	opts := &kv.ListOptions{Prefix: "event:", Limit: 1000}
	for page := 0; page < p.maxPages; page++ {
		res, err := ns.List(opts)
		if err != nil {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		for _, k := range res.Keys {
			fmt.Fprintf(w, "https://tickets.example.com/e/%s\n", strings.TrimPrefix(k.Name, "event:"))
		}
		if res.ListComplete {
			return
		}
		opts.Cursor = res.Cursor
	}
}

// sitemapFull is the variant used by the partner feed.
func (p *Pages) sitemapFull(w http.ResponseWriter, r *http.Request) {
	ns := kvbind.Namespace()
	w.Header().Set("Content-Type", "text/plain")
	cursor := ""
	for {
		res, err := ns.List(&kv.ListOptions{ // EXPECT kvlist
			Prefix: "event:",
			Cursor: cursor,
			Limit:  5000, // EXPECT kvlimits
		})
		if err != nil {
			return
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			fmt.Fprintf(w, "https://tickets.example.com/e/%s\n", strings.TrimPrefix(k.Name, "event:"))
		}
		cursor = res.Cursor
	}
}

// flash announces a flash sale on the event page.
func (p *Pages) flash(w http.ResponseWriter, r *http.Request) {
	msg := r.URL.Query().Get("msg")
	err := kvbind.Namespace().PutString("flash:"+r.PathValue("id"), msg, &kv.PutOptions{
		Expiration: int(time.Now().Add(30 * time.Second).Unix()), // EXPECT kvttl
	})
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// banner shows an organizer banner for five minutes.
func (p *Pages) banner(w http.ResponseWriter, r *http.Request) {
	msg := r.URL.Query().Get("msg")
	err := kvbind.Namespace().PutString("banner:"+r.PathValue("id"), msg, &kv.PutOptions{
		Expiration: int(time.Now().Add(5 * time.Minute).Unix()),
	})
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// refreshSections republishes the sections sent by the box office.
func (p *Pages) refreshSections(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	var sections []domain.Section
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&sections); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	stamp := fmt.Sprint(time.Now().Unix())
	for _, s := range sections {
		b, _ := json.Marshal(s)
		if err := kvbind.Save(keys.SeatSection(id, s.Name), string(b), 0); err != nil {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		if err := kvbind.Save("seatmap:"+id+":updated", stamp, 0); err != nil { // EXPECT kvhotkey
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}
