// Package archive serves the public archive of past issues.
package archive

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/pressroom/internal/config"
	"example.com/pressroom/internal/keys"
	"example.com/pressroom/internal/kvx"
)

// Issue is a published issue as stored under issue:<yyyy-mm-dd>:<slug>.
type Issue struct {
	Tenant    string    `json:"tenant"`
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	Published time.Time `json:"published"`
}

// CMSFetcher runs a query against the headless CMS.
type CMSFetcher func(ctx context.Context, query string) (string, error)

// Handler serves archive pages.
type Handler struct {
	ns       *kv.Namespace
	cfg      config.Archive
	fetchCMS CMSFetcher
	render   func(Issue) string
}

// New returns a Handler.
func New(ns *kv.Namespace, cfg config.Archive, cms CMSFetcher, render func(Issue) string) *Handler {
	return &Handler{ns: ns, cfg: cfg, fetchCMS: cms, render: render}
}

// indexKey holds the prewarmed archive index. path.Clean turns the bare
// /archive/ request path into ".", so Issue finds it under that name.
const indexKey = "."

type listItem struct {
	ID    string
	Title string
}

// Index renders one page of the archive with a link to the next.
func (h *Handler) Index(w http.ResponseWriter, r *http.Request) {
	res, err := h.ns.List(&kv.ListOptions{Prefix: keys.Issue, Limit: h.cfg.PageSize, Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		http.Error(w, "archive unavailable", http.StatusBadGateway)
		return
	}
	items := make([]listItem, 0, len(res.Keys))
	for _, k := range res.Keys {
		raw, err := h.ns.GetString(k.Name, nil) // EXPECT kvlist
		if err != nil || raw == kvx.Null {
			continue
		}
		var is Issue
		if json.Unmarshal([]byte(raw), &is) == nil {
			items = append(items, listItem{ID: strings.TrimPrefix(k.Name, keys.Issue), Title: is.Title})
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, "<ul>")
	for _, it := range items {
		fmt.Fprintf(w, `<li><a href="/archive/%s">%s</a></li>`, it.ID, html.EscapeString(it.Title))
	}
	fmt.Fprint(w, "</ul>")
	if !res.ListComplete {
		fmt.Fprintf(w, `<a rel="next" href="/archive?cursor=%s">Older issues</a>`, res.Cursor)
	}
}

// API returns one page of issue ids; clients pass the cursor back for more.
func (h *Handler) API(w http.ResponseWriter, r *http.Request) {
	res, err := h.ns.List(&kv.ListOptions{Prefix: keys.Issue, Limit: 1000, Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		http.Error(w, "archive unavailable", http.StatusBadGateway)
		return
	}
	out := struct {
		IDs    []string `json:"ids"`
		Cursor string   `json:"cursor,omitempty"`
	}{IDs: make([]string, 0, len(res.Keys))}
	for _, k := range res.Keys {
		out.IDs = append(out.IDs, strings.TrimPrefix(k.Name, keys.Issue))
	}
	if !res.ListComplete {
		out.Cursor = res.Cursor
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

// Feed renders an RSS feed of the newest issues. Key names carry the date,
// so no values are read.
func (h *Handler) Feed(w http.ResponseWriter, r *http.Request) {
	res, err := h.ns.List(&kv.ListOptions{Prefix: keys.Issue}) // EXPECT kvlist
	if err != nil {
		http.Error(w, "feed unavailable", http.StatusBadGateway)
		return
	}
	ids := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		ids = append(ids, strings.TrimPrefix(k.Name, keys.Issue))
	}
	sort.Sort(sort.Reverse(sort.StringSlice(ids)))
	if len(ids) > h.cfg.FeedItems {
		ids = ids[:h.cfg.FeedItems]
	}
	w.Header().Set("Content-Type", "application/rss+xml")
	fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Archive</title>`)
	for _, id := range ids {
		fmt.Fprintf(w, "<item><link>https://%s/archive/%s</link></item>", r.Host, html.EscapeString(id))
	}
	fmt.Fprint(w, "</channel></rss>")
}

// Issue serves /archive/<yyyy-mm-dd>/<slug>, rendering through a cache.
func (h *Handler) Issue(w http.ResponseWriter, r *http.Request) {
	id := path.Clean(strings.TrimPrefix(r.URL.Path, "/archive/"))
	id = strings.Replace(id, "/", ":", 1)
	if page, err := h.ns.GetString(keys.Render+id, nil); err == nil && page != kvx.Null {
		writeHTML(w, page)
		return
	}
	if id == "." {
		idx, err := h.ns.GetString(indexKey, nil) // EXPECT kvlimits
		if err != nil || idx == kvx.Null {
			http.Redirect(w, r, "/archive", http.StatusFound)
			return
		}
		writeHTML(w, idx)
		return
	}

	if seen, _ := h.ns.GetString("missing:"+id, nil); seen == "1" {
		http.NotFound(w, r)
		return
	}
	src, err := h.ns.GetString(keys.Issue+id, nil)
	if err != nil {
		http.Error(w, "archive unavailable", http.StatusBadGateway)
		return
	}
	if len(src) == 0 { // EXPECT kvnull
		// Remember misses briefly so crawlers probing old URLs don't hit KV on every request.
		_ = h.ns.PutString("missing:"+id, "1", &kv.PutOptions{ExpirationTTL: 30}) // EXPECT kvttl
		http.NotFound(w, r)
		return
	}
	var is Issue
	if err := json.Unmarshal([]byte(src), &is); err != nil {
		http.Error(w, "corrupt issue", http.StatusInternalServerError)
		return
	}
	footer, _ := h.ns.GetString(keys.Tenant(is.Tenant).Footer(), nil) // EXPECT kvnull
	page := h.render(is) + `<footer>` + footer + `</footer>`
	_ = h.ns.PutString(keys.Render+id, page, &kv.PutOptions{ExpirationTTL: int(h.cfg.RenderCacheTTL)}) // EXPECT kvttl
	writeHTML(w, page)
}

func writeHTML(w http.ResponseWriter, page string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(page))
}

// Prewarm refreshes the archive index and the CMS snapshot. Runs hourly.
func (h *Handler) Prewarm(ctx context.Context) error {
	var ids []string
	err := kvx.EachKey(h.ns, keys.Issue, 5, func(k *kv.ListKey) error {
		ids = append(ids, strings.TrimPrefix(k.Name, keys.Issue))
		return nil
	})
	if err != nil {
		return fmt.Errorf("prewarm: %w", err)
	}
	sort.Sort(sort.Reverse(sort.StringSlice(ids)))
	var b strings.Builder
	b.WriteString("<ul>")
	for _, id := range ids {
		fmt.Fprintf(&b, `<li><a href="/archive/%s">%s</a></li>`, strings.Replace(id, ":", "/", 1), html.EscapeString(id))
	}
	b.WriteString("</ul>")
	if err := h.ns.PutString(indexKey, b.String(), &kv.PutOptions{ExpirationTTL: 3600}); err != nil { // EXPECT kvlimits
		return fmt.Errorf("prewarm index: %w", err)
	}

	snapshot, err := h.fetchCMS(ctx, issuesQuery)
	if err != nil {
		return fmt.Errorf("prewarm cms: %w", err)
	}
	return h.ns.PutString("cms:"+issuesQuery, snapshot, nil) // EXPECT kvlimits
}
