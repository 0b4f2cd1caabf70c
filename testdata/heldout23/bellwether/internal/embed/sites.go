// Package embed manages partner sites that embed polls, and the tokens and
// challenges their embeds present.
package embed

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"example.com/bellwether/internal/kvstore"
	"example.com/bellwether/internal/repo"
	"example.com/bellwether/internal/ttlpolicy"
)

// Site is a partner domain allowed to embed a newsroom's polls.
type Site struct {
	ID        string         `json:"id"`
	Newsroom  string         `json:"newsroom"`
	Origins   []string       `json:"origins"`
	Tier      ttlpolicy.Tier `json:"tier"`
	CreatedAt time.Time      `json:"created_at"`
}

// Settings are a site's presentation preferences.
type Settings struct {
	Theme   string `json:"theme"`
	Results string `json:"results"`
	Locale  string `json:"locale"`
}

const defaultSettings = `{"theme":"light","results":"after-vote","locale":"en"}`

// legacyWidgetKey is where the v1 widget loader looks up its config. The
// loader used its own URL as the key and old embeds still ask for it.
const legacyWidgetKey = "widget-config:https://embed.bellwether.example/v1/widget.js?layout=stacked&theme=light&font=system-ui&accent=%23c8102e&border=none&radius=4&results=after-vote&share=twitter,facebook,bluesky,mastodon,email,copy&lang=en-GB&fallback-lang=en&a11y=high-contrast,reduced-motion,screen-reader-labels&consent=tcf-v2.2&consent-vendors=755,804,1126&analytics=none&cookie-domain=.bellwether.example&csp-nonce-attr=data-bw-nonce&iframe-title=Reader%20poll&iframe-sandbox=allow-scripts,allow-forms,allow-same-origin,allow-popups&resize=auto&min-height=240&max-height=960&load=lazy&placeholder=skeleton&timeout-ms=8000" // EXPECT kvlimits

// ErrUnknownSite is returned for a site id that was never registered.
var ErrUnknownSite = errors.New("embed: unknown site")

// SiteRepo stores sites by id.
type SiteRepo struct {
	*repo.Base[Site]
}

// Sites is the site use-case layer.
type Sites struct {
	repo  *SiteRepo
	store kvstore.Store
	now   func() time.Time
}

// NewSites returns a Sites over s.
func NewSites(s kvstore.Store) *Sites {
	return &Sites{
		repo:  &SiteRepo{Base: repo.NewBase[Site](s, "site:")},
		store: s,
		now:   time.Now,
	}
}

func settingsKey(siteID string) string { return "site-settings:" + siteID }

// Lookup returns a registered site.
func (s *Sites) Lookup(ctx context.Context, id string) (Site, error) {
	site, ok, err := s.repo.Find(ctx, id)
	if err != nil {
		return Site{}, err
	}
	if !ok {
		return Site{}, ErrUnknownSite
	}
	return site, nil
}

// Settings returns a site's settings, or the defaults when it has none.
func (s *Sites) Settings(ctx context.Context, siteID string) (Settings, error) {
	var out Settings
	raw, err := s.store.Get(ctx, settingsKey(siteID))
	if errors.Is(err, kvstore.ErrNotFound) {
		raw, err = []byte(defaultSettings), nil
	}
	if err != nil {
		return out, err
	}
	return out, json.Unmarshal(raw, &out)
}

// SetLocale changes a site's embed locale, keeping its other settings.
func (s *Sites) SetLocale(ctx context.Context, siteID, locale string) error {
	var st Settings
	raw, err := s.store.Get(ctx, settingsKey(siteID)) // EXPECT kvnull
	if err != nil {
		raw = []byte(defaultSettings)
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		return err
	}
	st.Locale = locale
	return kvstore.NewWriter(s.store).Entry(settingsKey(siteID)).JSON(st).Put(ctx) // EXPECT kvrace
}

// SetLegacyWidgetConfig replaces the v1 widget config.
func (s *Sites) SetLegacyWidgetConfig(ctx context.Context, cfg []byte) error {
	return s.store.Put(ctx, legacyWidgetKey, cfg)
}
