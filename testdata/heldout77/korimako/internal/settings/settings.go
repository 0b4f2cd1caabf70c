// Package settings stores each site's settings document (title, locale,
// theme, analytics) and the domain claims of custom subdomains.
package settings

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"github.com/korimako/korimako/internal/kvstore"
)

// ErrTaken is returned when a subdomain already belongs to another site.
var ErrTaken = errors.New("settings: subdomain taken")

// Site is the settings document of one site.
type Site struct {
	Title     string            `json:"title"`
	Locale    string            `json:"locale"`
	Theme     string            `json:"theme"`
	Subdomain string            `json:"subdomain"`
	Analytics string            `json:"analytics,omitempty"`
	Extra     map[string]string `json:"extra,omitempty"`
}

func siteKey(site string) string   { return "settings/" + site }
func domainKey(sub string) string  { return "domains/" + sub }
func themeKey(theme string) string { return "themes/" + theme }
func publicKey(site string) string { return "public-settings/" + site }

// Service reads and writes settings documents.
type Service struct {
	st *kvstore.Store
	// cf and ids are used for the calls the adapter does not cover.
	cf        *cloudflare.Client
	accountID string
	nsID      string
	cacheFor  time.Duration
}

// New returns a settings service.
func New(st *kvstore.Store, cf *cloudflare.Client, accountID string, cacheFor time.Duration) *Service {
	return &Service{st: st, cf: cf, accountID: accountID, nsID: st.NamespaceID(), cacheFor: cacheFor}
}

// Get returns the settings of site.
func (s *Service) Get(ctx context.Context, site string) (*Site, error) {
	raw, err := s.st.GetRaw(ctx, siteKey(site))
	if err != nil {
		return nil, err
	}
	if len(raw) == 0 { // EXPECT kvnull
		return &Site{Locale: "en", Theme: "plain"}, nil
	}
	var doc Site
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	return &doc, nil
}

// SetField changes one field of the settings document.
func (s *Service) SetField(ctx context.Context, site, field, value string) error {
	cur, err := s.st.Get(ctx, siteKey(site)) // EXPECT kvnull
	if err != nil {
		cur = "{}"
	}
	var doc Site
	if err := json.Unmarshal([]byte(cur), &doc); err != nil {
		return err
	}
	switch field {
	case "title":
		doc.Title = value
	case "locale":
		doc.Locale = value
	case "theme":
		doc.Theme = value
	case "analytics":
		doc.Analytics = value
	default:
		if doc.Extra == nil {
			doc.Extra = map[string]string{}
		}
		doc.Extra[field] = value
	}
	b, _ := json.Marshal(doc)
	return s.st.Put(ctx, siteKey(site), string(b), 0) // EXPECT kvrace
}

// Replace overwrites the whole settings document, as the import wizard does.
func (s *Service) Replace(ctx context.Context, site string, doc Site) error {
	b, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	return s.st.Put(ctx, siteKey(site), string(b), 0)
}

// ClaimSubdomain reserves sub for site.
func (s *Service) ClaimSubdomain(ctx context.Context, site, sub string) error {
	owner, err := s.st.Get(ctx, domainKey(sub))
	switch {
	case err == nil && owner != site:
		return ErrTaken
	case err == nil:
		return nil
	case !errors.Is(err, kvstore.ErrNotFound):
		return err
	}
	return s.st.Put(ctx, domainKey(sub), site, 0) // EXPECT kvrace
}

// PublishPublic writes the subset of settings the edge worker may show, with
// a lifetime so that edits reach the edge within cacheFor.
func (s *Service) PublishPublic(ctx context.Context, site string, doc *Site) error {
	b, _ := json.Marshal(map[string]string{"title": doc.Title, "locale": doc.Locale, "theme": doc.Theme})
	_, err := s.cf.KV.Namespaces.Values.Update(ctx, s.nsID, publicKey(site), kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(s.accountID),
		Value:         cloudflare.F(string(b)),
		ExpirationTTL: cloudflare.F(float64(s.cacheFor)), // EXPECT kvttl
	})
	return err
}

// Theme returns a theme's definition, caching the copy fetched from the theme
// registry for a day.
func (s *Service) Theme(ctx context.Context, name string, fetch func(string) ([]byte, error)) ([]byte, error) {
	if b, err := s.st.GetRaw(ctx, themeKey(name)); err == nil {
		return b, nil
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}
	b, err := fetch(name)
	if err != nil {
		return nil, fmt.Errorf("theme %s: %w", name, err)
	}
	_, err = s.cf.KV.Namespaces.Values.Update(ctx, s.nsID, themeKey(name), kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(s.accountID),
		Value:         cloudflare.F(string(b)),
		ExpirationTTL: cloudflare.F((24 * time.Hour).Seconds()),
	})
	return b, err
}

// RecentSites returns the first few site settings keys for the dashboard.
func (s *Service) RecentSites(ctx context.Context) ([]string, error) {
	page, err := s.cf.KV.Namespaces.Keys.List(ctx, s.nsID, kv.NamespaceKeyListParams{ // DEBATABLE kvlist
		AccountID: cloudflare.F(s.accountID),
		Prefix:    cloudflare.F("settings/"),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(page.Result))
	for _, k := range page.Result {
		out = append(out, k.Name)
	}
	return out, nil
}
