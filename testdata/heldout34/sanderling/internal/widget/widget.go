//go:build js && wasm

// Package widget serves the customer chat widget from the edge: the per-site
// bootstrap configuration, visitor sessions, chat messages and the public
// knowledge-base endpoints.
package widget

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare"

	"github.com/helpdeskco/sanderling/internal/config"
	"github.com/helpdeskco/sanderling/internal/edgekv"
	"github.com/helpdeskco/sanderling/internal/httpx"
	"github.com/helpdeskco/sanderling/internal/keys"
	"github.com/helpdeskco/sanderling/internal/kverr"
	"github.com/helpdeskco/sanderling/internal/load"
	"github.com/helpdeskco/sanderling/internal/origin"
)

// SiteConfig is what the widget needs to render for one customer site.
type SiteConfig struct {
	SiteID      string    `json:"site_id"`
	Greeting    string    `json:"greeting"`
	Color       string    `json:"color"`
	OfficeHours []string  `json:"office_hours"`
	Locales     []string  `json:"locales"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// ConfigRepo caches site configurations from the origin.
type ConfigRepo struct {
	edgekv.Store
	origin load.Loader
	ttl    time.Duration
}

// Load returns the site's configuration, filling the cache from the origin.
func (r ConfigRepo) Load(ctx context.Context, siteID string) (SiteConfig, error) {
	b, err := r.ReadThrough(ctx, keys.KindWidgetConfig.Key(siteID), r.ttl, r.origin)
	if err != nil {
		return SiteConfig{}, fmt.Errorf("site config %s: %w", siteID, err)
	}
	var sc SiteConfig
	return sc, json.Unmarshal(b, &sc)
}

// Preview reads the configuration for the dashboard's live preview, where an
// admin expects to see a publish within seconds.
func (r ConfigRepo) Preview(siteID string) (SiteConfig, bool, error) {
	raw, err := r.NS.GetString(keys.KindWidgetConfig.Key(siteID), &cloudflare.KVNamespaceGetOptions{CacheTTL: 15}) // EXPECT kvttl
	if err != nil {
		return SiteConfig{}, false, err
	}
	if raw == edgekv.Null {
		return SiteConfig{}, false, nil
	}
	var sc SiteConfig
	return sc, true, json.Unmarshal([]byte(raw), &sc)
}

// Strings returns the translated UI strings for a site and locale.
func (r ConfigRepo) Strings(siteID, locale string) (map[string]string, error) {
	raw, _ := r.NS.GetString(keys.KindWidgetConfig.Key(siteID, "strings", locale), nil) // EXPECT kvnull
	var strs map[string]string
	if err := json.Unmarshal([]byte(raw), &strs); err != nil {
		return nil, fmt.Errorf("widget strings %s/%s: %w", siteID, locale, err)
	}
	return strs, nil
}

// Service holds the widget's handlers.
type Service struct {
	cfg      config.Config
	origin   *origin.Client
	configs  ConfigRepo
	sessions VisitorSessions
	themes   edgekv.Store
	index    edgekv.Store
}

// New wires the widget service. The KV bindings must already be initialised.
func New(cfg config.Config, oc *origin.Client) *Service {
	return &Service{
		cfg:    cfg,
		origin: oc,
		configs: ConfigRepo{
			Store:  edgekv.Store{NS: edgekv.Widget},
			origin: oc.Source("/internal/widget/config"),
			ttl:    cfg.KV.TTL.WidgetConfig,
		},
		sessions: VisitorSessions{Store: edgekv.Store{NS: edgekv.Sessions}},
		themes:   edgekv.Store{NS: edgekv.Widget, MinTTL: time.Hour},
		index:    edgekv.Store{NS: edgekv.Tickets},
	}
}

type bootstrapResponse struct {
	Config    SiteConfig        `json:"config"`
	ThemeCSS  string            `json:"theme_css,omitempty"`
	Strings   map[string]string `json:"strings"`
	SessionID string            `json:"session_id"`
}

// Bootstrap returns everything the widget script needs on page load.
func (s *Service) Bootstrap(w http.ResponseWriter, r *http.Request) {
	siteID := r.URL.Query().Get("site")
	if siteID == "" {
		httpx.Error(w, http.StatusBadRequest, "missing site")
		return
	}
	sc, err := s.configs.Load(r.Context(), siteID)
	if err != nil {
		log.Printf("bootstrap %s: %v", siteID, err)
		httpx.Error(w, http.StatusBadGateway, "configuration unavailable")
		return
	}
	resp := bootstrapResponse{Config: sc}
	if theme, err := s.themes.Get(keys.KindWidgetTheme.Key()); err == nil { // EXPECT kvlimits
		resp.ThemeCSS = theme.OrElse("")
	}
	locale := "en"
	if len(sc.Locales) > 0 {
		locale = sc.Locales[0]
	}
	if resp.Strings, err = s.configs.Strings(siteID, locale); err != nil {
		httpx.Fail(w, err)
		return
	}
	sess, err := s.visitor(r, siteID)
	if err != nil {
		httpx.Fail(w, err)
		return
	}
	resp.SessionID = sess.ID
	if err := edgekv.Widget.PutString("stats:widget:last_bootstrap", time.Now().UTC().Format(time.RFC3339), nil); err != nil { // EXPECT kvhotkey
		log.Printf("bootstrap stats: %v", err)
	}
	httpx.JSON(w, http.StatusOK, resp)
}

// PreviewConfig serves the dashboard's preview of a site's widget.
func (s *Service) PreviewConfig(w http.ResponseWriter, r *http.Request) {
	site := r.PathValue("site")
	sc, ok, err := s.configs.Preview(site)
	if err == nil && !ok {
		err = &kverr.MissError{Namespace: "widget", Key: site}
	}
	if err != nil {
		httpx.Fail(w, err)
		return
	}
	httpx.JSON(w, http.StatusOK, sc)
}

// PublishTheme stores the account-wide default theme. Sites without their
// own theme render with it.
func (s *Service) PublishTheme(w http.ResponseWriter, r *http.Request) {
	var in struct {
		CSS string `json:"css"`
	}
	if err := httpx.Decode(r, 64<<10, &in); err != nil {
		httpx.Error(w, http.StatusBadRequest, "invalid body")
		return
	}
	if err := s.themes.Put(keys.KindWidgetTheme.Key(), in.CSS, 0); err != nil { // EXPECT kvlimits|kvhotkey
		httpx.Fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
