// Package admin is the internal console API, reachable only with the admin
// token.
package admin

import (
	"crypto/subtle"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/shortlinks/internal/accounts"
	"example.com/shortlinks/internal/config"
	"example.com/shortlinks/internal/importer"
	"example.com/shortlinks/internal/keys"
	"example.com/shortlinks/internal/links"
	"example.com/shortlinks/internal/repo"
	"example.com/shortlinks/internal/store"
)

type Settings struct {
	MaintenanceBanner string   `json:"maintenance_banner,omitempty"`
	BlockedDomains    []string `json:"blocked_domains,omitempty"`
}

type Admin struct {
	cfg      config.AdminConfig
	ns       *kv.Namespace
	st       store.Store
	links    *links.Service
	linkRepo *repo.Repo[links.Link]
	accounts *accounts.Service
	imp      *importer.Importer
}

func New(cfg config.AdminConfig, ns *kv.Namespace, st store.Store, ls *links.Service, accts *accounts.Service, imp *importer.Importer) *Admin {
	return &Admin{
		cfg:      cfg,
		ns:       ns,
		st:       st,
		links:    ls,
		linkRepo: repo.New[links.Link](st, keys.LinkPrefix),
		accounts: accts,
		imp:      imp,
	}
}

// Routes returns the admin handlers keyed by mux pattern.
func (a *Admin) Routes() map[string]http.HandlerFunc {
	return map[string]http.HandlerFunc{
		"GET /admin/links":                 a.listLinks,
		"GET /admin/export":                a.export,
		"GET /admin/accounts":              a.listAccounts,
		"GET /admin/keys":                  a.listKeys,
		"GET /admin/search":                a.search,
		"POST /admin/links/{slug}/disable": a.disable,
		"PUT /admin/root":                  a.setRoot,
		"PUT /admin/settings":              a.putSettings,
		"POST /admin/import":               a.startImport,
	}
}

// Mount registers the routes behind the token check.
func (a *Admin) Mount(mux *http.ServeMux) {
	for pattern, h := range a.Routes() {
		mux.Handle(pattern, a.requireToken(h))
	}
}

func (a *Admin) requireToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if a.cfg.Token == "" || subtle.ConstantTimeCompare([]byte(tok), []byte(a.cfg.Token)) != 1 {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// listLinks shows one page of links with their targets.
func (a *Admin) listLinks(w http.ResponseWriter, r *http.Request) {
	ids, next, err := a.linkRepo.Page(r.Context(), r.URL.Query().Get("cursor"), a.cfg.PageSize)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	out := make([]links.Link, 0, len(ids))
	for _, id := range ids {
		l, err := a.linkRepo.Get(r.Context(), id) // EXPECT kvlist
		if err != nil {
			continue
		}
		out = append(out, l)
	}
	writeJSON(w, map[string]any{"links": out, "cursor": next})
}

// export streams every slug as CSV for the monthly audit.
func (a *Admin) export(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/csv")
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"slug", "expires"})
	opts := &kv.ListOptions{Prefix: keys.LinkPrefix}
	for {
		res, err := a.ns.List(opts) // EXPECT kvlist
		if err != nil {
			return
		}
		for _, k := range res.Keys {
			exp := ""
			if k.Expiration > 0 {
				exp = time.Unix(int64(k.Expiration), 0).UTC().Format(time.RFC3339)
			}
			_ = cw.Write([]string{strings.TrimPrefix(k.Name, keys.LinkPrefix), exp})
		}
		cw.Flush()
		if res.ListComplete {
			break
		}
		opts.Cursor = res.Cursor
	}
}

func (a *Admin) listAccounts(w http.ResponseWriter, r *http.Request) {
	pg, err := a.st.List(r.Context(), store.ListParams{Prefix: keys.AccountPrefix, Limit: 1000}) // EXPECT kvlist
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	ids := make([]string, len(pg.Keys))
	for i, k := range pg.Keys {
		ids[i] = strings.TrimPrefix(k, keys.AccountPrefix)
	}
	writeJSON(w, map[string]any{"accounts": ids, "total": len(ids)})
}

func (a *Admin) listKeys(w http.ResponseWriter, r *http.Request) {
	ids, next, err := a.accounts.ListAPIKeys(r.Context(), r.URL.Query().Get("cursor"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	writeJSON(w, map[string]any{"keys": ids, "cursor": next})
}

// search finds slugs starting with q, up to 200 results.
func (a *Admin) search(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if len(q) < 2 {
		http.Error(w, "query too short", http.StatusBadRequest)
		return
	}
	var found []string
	cursor := ""
	for len(found) < 200 {
		res, err := a.ns.List(&kv.ListOptions{Prefix: keys.LinkPrefix + q, Cursor: cursor, Limit: 100}) // EXPECT kvlist
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			found = append(found, strings.TrimPrefix(k.Name, keys.LinkPrefix))
		}
		cursor = res.Cursor
	}
	writeJSON(w, map[string]any{"slugs": found})
}

// disable takes a link down after an abuse report.
func (a *Admin) disable(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	l, err := getJSON[links.Link](a.ns, keys.Link(slug))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	l.Disabled = true
	if err := putJSON(a.ns, keys.Link(slug), l, nil); err != nil { // EXPECT kvrace
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if err := a.links.Invalidate(r.Context(), slug); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// setRoot changes where the bare domain redirects.
func (a *Admin) setRoot(w http.ResponseWriter, r *http.Request) {
	target := strings.TrimSpace(r.FormValue("target"))
	if !strings.HasPrefix(target, "https://") {
		http.Error(w, "target must be https", http.StatusBadRequest)
		return
	}
	if err := a.st.Put(r.Context(), keys.RootSlug, target); err != nil { // EXPECT kvlimits
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// putSettings replaces the global settings document edited in the console.
func (a *Admin) putSettings(w http.ResponseWriter, r *http.Request) {
	var s Settings
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&s); err != nil {
		http.Error(w, "bad settings", http.StatusBadRequest)
		return
	}
	if err := putJSON(a.ns, keys.GlobalSettings, s, nil); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// startImport accepts a CSV upload and writes the links.
func (a *Admin) startImport(w http.ResponseWriter, r *http.Request) {
	owner := r.URL.Query().Get("owner")
	if _, err := a.accounts.Get(r.Context(), owner); err != nil {
		http.Error(w, "unknown owner", http.StatusBadRequest)
		return
	}
	rows, err := a.imp.Parse(io.LimitReader(r.Body, 4<<20))
	if err != nil && len(rows) == 0 {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	jobID := fmt.Sprintf("%s-%d", owner, time.Now().UnixNano())
	if err := a.imp.Run(r.Context(), jobID, owner, rows); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	job, _ := a.imp.Status(r.Context(), jobID)
	writeJSON(w, job)
}
