//go:build js && wasm

// Package tracking serves the customer tracking pages of the Worker.
package tracking

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"goldcrest/internal/edgekv"
	"goldcrest/internal/model"
)

// Config is what the tracking handlers need from the environment.
type Config struct {
	Binding      string        // KV binding holding links and cached views
	OriginURL    string        // dispatcher base URL
	OriginSecret string        // shared secret for the dispatcher and for /links
	ViewCacheTTL time.Duration // lifetime of cached parcel views
	BeaconTTL    int           // seconds a view count is kept
	LinkLifetime time.Duration // lifetime of a new tracking link
	Now          func() time.Time
	HTTP         *http.Client
}

var errNoLink = errors.New("tracking: unknown link")

const (
	linkPrefix  = "link:"
	viewPrefix  = "pview:"
	shortPrefix = "short:"
)

// Register mounts the tracking routes.
func Register(mux *http.ServeMux, cfg Config) {
	mux.HandleFunc("GET /t/{token}", makeTrackPage(cfg, viewPrefix))
	mux.HandleFunc("POST /t/{token}/seen", makeBeacon(cfg, "views:"))
	mux.HandleFunc("GET /t/{token}/history", makeHistory(cfg))
	mux.HandleFunc("GET /t/{token}/status.json", makeStatusBadge(cfg))
	mux.HandleFunc("POST /t/{token}/preferences", makePreferences(cfg))
	mux.HandleFunc("POST /links", makeIssueLink(cfg))
}

// pageState is the tracking link a request works on. It is loaded once at the
// start of the request and written back at the end when something changed.
type pageState struct {
	key   string
	link  model.TrackingLink
	dirty bool
}

func loadPage(st *edgekv.Store, prefix, token string) (*pageState, error) {
	if token == "" {
		return nil, errNoLink
	}
	ps := &pageState{key: prefix + token}
	ok, err := st.LoadText(ps.key, &ps.link)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errNoLink
	}
	return ps, nil
}

func (ps *pageState) expired(now time.Time) bool {
	return !ps.link.ExpiresAt.IsZero() && now.After(ps.link.ExpiresAt)
}

func (ps *pageState) recordOpen(now time.Time) {
	if ps.link.OpenedAt.IsZero() {
		ps.link.OpenedAt = now
	}
	ps.link.Opens++
	ps.dirty = true
}

func (ps *pageState) applyRedirect(r *http.Request) {
	to := r.URL.Query().Get("to")
	if to == "" || !strings.HasPrefix(to, "/") || strings.HasPrefix(to, "//") {
		return
	}
	if to == ps.link.Redirect {
		return
	}
	ps.link.Redirect = to
	ps.dirty = true
}

func (ps *pageState) save(st *edgekv.Store) error {
	if !ps.dirty {
		return nil
	}
	return st.SaveTextUntil(ps.key, ps.link, ps.link.ExpiresAt) // EXPECT kvrace
}

// withLink opens the store and loads the request's tracking link before h
// runs, and writes the link back afterwards if h changed it.
func withLink(cfg Config, h func(http.ResponseWriter, *http.Request, *edgekv.Store, *pageState)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		st, err := edgekv.Open(cfg.Binding, cfg.Now)
		if err != nil {
			http.Error(w, "storage unavailable", http.StatusServiceUnavailable)
			return
		}
		ps, err := loadPage(st, linkPrefix, r.PathValue("token"))
		switch {
		case errors.Is(err, errNoLink):
			http.NotFound(w, r)
			return
		case err != nil:
			http.Error(w, "storage error", http.StatusBadGateway)
			return
		case ps.expired(cfg.Now()):
			http.Error(w, "this tracking link has expired", http.StatusGone)
			return
		}
		defer func() {
			if err := ps.save(st); err != nil {
				log.Printf("tracking: save link: %v", err)
			}
		}()
		h(w, r, st, ps)
	}
}

func makeTrackPage(cfg Config, viewPrefix string) http.HandlerFunc {
	now := cfg.Now
	return withLink(cfg, func(w http.ResponseWriter, r *http.Request, st *edgekv.Store, ps *pageState) {
		ps.recordOpen(now())
		ps.applyRedirect(r)
		view, err := parcelView(r.Context(), cfg, st, viewPrefix, ps.link.ParcelID)
		if err != nil {
			http.Error(w, "parcel unavailable", http.StatusBadGateway)
			return
		}
		renderPage(w, view, depotNotice(st, view.DepotID))
	})
}

// parcelView reads a parcel through the view cache, falling back to the
// dispatcher on a miss.
func parcelView(ctx context.Context, cfg Config, st *edgekv.Store, prefix, parcelID string) (model.Parcel, error) {
	var p model.Parcel
	key := prefix + parcelID
	ok, err := st.Load(key, &p)
	if err != nil {
		return p, err
	}
	if ok {
		return p, nil
	}
	p, err = fetchParcel(ctx, cfg, parcelID)
	if err != nil {
		return p, err
	}
	if err := st.Save(key, p, cfg.ViewCacheTTL); err != nil {
		log.Printf("tracking: cache view %s: %v", parcelID, err)
	}
	return p, nil
}

func fetchParcel(ctx context.Context, cfg Config, parcelID string) (model.Parcel, error) {
	var p model.Parcel
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, cfg.OriginURL+"/v1/parcels/"+parcelID, nil)
	if err != nil {
		return p, err
	}
	req.Header.Set("Authorization", "Bearer "+cfg.OriginSecret)
	resp, err := cfg.HTTP.Do(req)
	if err != nil {
		return p, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return p, fmt.Errorf("tracking: origin returned %s", resp.Status)
	}
	err = json.NewDecoder(resp.Body).Decode(&p)
	return p, err
}

// depotNotice returns the banner a depot has published, e.g. closures.
func depotNotice(st *edgekv.Store, depotID string) string {
	notice, err := st.Namespace().GetString("notice:"+depotID, &kv.GetOptions{CacheTTL: 600})
	if err != nil || notice == "" { // EXPECT kvnull
		return ""
	}
	return notice
}

var pageTmpl = template.Must(template.New("track").Parse(`<!doctype html>
<html><head><title>Parcel {{.P.ID}}</title></head><body>
{{if .Notice}}<div class="notice">{{.Notice}}</div>{{end}}
<h1>{{.P.Status}}</h1>
{{if not .P.ETA.IsZero}}<p>Expected {{.P.ETA.Format "Mon 2 Jan 15:04"}}</p>{{end}}
<script src="/static/beacon.js" defer></script>
</body></html>`))

func renderPage(w http.ResponseWriter, p model.Parcel, notice string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "private, no-store")
	if err := pageTmpl.Execute(w, struct {
		P      model.Parcel
		Notice string
	}{p, notice}); err != nil {
		log.Printf("tracking: render: %v", err)
	}
}
