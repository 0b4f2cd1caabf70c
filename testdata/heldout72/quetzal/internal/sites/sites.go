// Package sites manages tracked web sites: their records, goals, public
// dashboards, subdomains, settings and ingest API keys.
package sites

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/quetzal-analytics/quetzal/internal/kvstore"
)

// ErrTaken is returned when a subdomain already belongs to a site.
var ErrTaken = errors.New("sites: subdomain taken")

// ErrNoSite is returned for unknown site IDs.
var ErrNoSite = errors.New("sites: no such site")

// Site is one tracked web site.
type Site struct {
	ID        string    `json:"id"`
	Domain    string    `json:"domain"`
	Owner     string    `json:"owner"`
	Public    bool      `json:"public"`
	Subdomain string    `json:"subdomain,omitempty"`
	Goals     []Goal    `json:"goals,omitempty"`
	Created   time.Time `json:"created"`
}

// Goal is a conversion goal: a page path or a custom event name.
type Goal struct {
	Name  string `json:"name"`
	Path  string `json:"path,omitempty"`
	Event string `json:"event,omitempty"`
}

// Settings are per-site options read by the ingest API and the Worker.
type Settings struct {
	RetentionDays int      `json:"retention_days"`
	SamplePercent int      `json:"sample_percent"`
	ExcludePaths  []string `json:"exclude_paths,omitempty"`
	RespectDNT    bool     `json:"respect_dnt"`
}

// DefaultSettings are applied to new sites.
var DefaultSettings = Settings{RetentionDays: 395, SamplePercent: 100, RespectDNT: true}

// Service is the site catalogue.
type Service struct {
	st  *kvstore.Store
	log *slog.Logger
}

// NewService returns a Service over st.
func NewService(st *kvstore.Store, log *slog.Logger) *Service {
	return &Service{st: st, log: log}
}

func siteKey(id string) string     { return "site:" + id }
func settingsKey(id string) string { return "settings:" + id }
func subKey(sub string) string     { return "subdomain:" + sub }
func apiKeyKey(hash string) string { return "apikey:" + hash }

// Create stores a new site with a fresh ID.
func (s *Service) Create(ctx context.Context, domain, owner string) (Site, error) {
	site := Site{ID: newID(8), Domain: domain, Owner: owner, Created: time.Now().UTC()}
	b, err := json.Marshal(site)
	if err != nil {
		return Site{}, err
	}
	if err := s.st.PutPlain(ctx, siteKey(site.ID), b, ""); err != nil {
		return Site{}, err
	}
	sb, _ := json.Marshal(DefaultSettings)
	if err := s.st.PutPlain(ctx, settingsKey(site.ID), sb, ""); err != nil {
		return Site{}, err
	}
	s.log.InfoContext(ctx, "site.created", "site", site.ID, "actor", owner)
	return site, nil
}

// Get loads a site.
func (s *Service) Get(ctx context.Context, id string) (Site, error) {
	b, err := s.st.Get(ctx, siteKey(id))
	if errors.Is(err, kvstore.ErrNotFound) {
		return Site{}, ErrNoSite
	}
	if err != nil {
		return Site{}, err
	}
	var site Site
	return site, json.Unmarshal(b, &site)
}

// AddGoal appends a conversion goal to a site.
func (s *Service) AddGoal(ctx context.Context, id string, g Goal, actor string) error {
	site, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	for _, have := range site.Goals {
		if have.Name == g.Name {
			return fmt.Errorf("goal %q already exists", g.Name)
		}
	}
	site.Goals = append(site.Goals, g)
	b, err := json.Marshal(site)
	if err != nil {
		return err
	}
	if err := s.st.PutPlain(ctx, siteKey(id), b, ""); err != nil { // EXPECT kvrace
		return err
	}
	s.log.InfoContext(ctx, "goal.added", "site", id, "goal", g.Name, "actor", actor)
	return nil
}

// SetPublic turns the public dashboard on or off.
func (s *Service) SetPublic(ctx context.Context, id string, public bool, actor string) error {
	b, err := s.st.Get(ctx, siteKey(id))
	if err != nil {
		return err
	}
	var site Site
	if err := json.Unmarshal(b, &site); err != nil {
		return err
	}
	site.Public = public
	out, _ := json.Marshal(site)
	if err := s.st.PutPlain(ctx, siteKey(id), out, ""); err != nil { // EXPECT kvrace
		return err
	}
	s.log.InfoContext(ctx, "site.visibility", "site", id, "public", public, "actor", actor)
	return nil
}

// ClaimSubdomain reserves sub.quetzal.page for a site.
func (s *Service) ClaimSubdomain(ctx context.Context, sub, siteID string) error {
	_, err := s.st.Get(ctx, subKey(sub))
	switch {
	case err == nil:
		return ErrTaken
	case !errors.Is(err, kvstore.ErrNotFound):
		return err
	}
	return s.st.PutPlain(ctx, subKey(sub), []byte(siteID), "") // EXPECT kvrace
}

// Delete removes a site and its settings. The audit record is kept for the
// legal retention period.
func (s *Service) Delete(ctx context.Context, id, actor string) error {
	for _, k := range []string{siteKey(id), settingsKey(id)} {
		if err := s.st.Delete(ctx, k); err != nil {
			return err
		}
	}
	s.log.InfoContext(ctx, "site.deleted", "site", id, "actor", actor,
		slog.Duration("retention", 400*24*time.Hour))
	return nil
}

// Settings returns the settings of a site, or the defaults when none are
// stored.
func (s *Service) Settings(ctx context.Context, id string) (Settings, error) {
	b, err := s.st.Get(ctx, settingsKey(id))
	if errors.Is(err, kvstore.ErrNotFound) {
		return DefaultSettings, nil
	}
	if err != nil {
		return Settings{}, err
	}
	var st Settings
	return st, json.Unmarshal(b, &st)
}

// EnsureSettings writes default settings for sites created before settings
// existed. It runs at start-up for every site.
func (s *Service) EnsureSettings(ctx context.Context, id string) error {
	if _, err := s.st.Get(ctx, settingsKey(id)); err == nil { // EXPECT kvnull
		return nil
	}
	b, _ := json.Marshal(DefaultSettings)
	return s.st.PutPlain(ctx, settingsKey(id), b, "")
}

// APIKey is what an ingest key resolves to.
type APIKey struct {
	Site    string    `json:"site"`
	Label   string    `json:"label"`
	Created time.Time `json:"created"`
}

// IssueAPIKey mints an ingest key for a site and returns the secret once.
func (s *Service) IssueAPIKey(ctx context.Context, siteID, label, actor string) (string, error) {
	secret := "qz_" + newID(24)
	rec, _ := json.Marshal(APIKey{Site: siteID, Label: label, Created: time.Now().UTC()})
	if err := s.st.PutPlain(ctx, apiKeyKey(hashKey(secret)), rec, ""); err != nil {
		return "", err
	}
	s.log.InfoContext(ctx, "key.issued", "site", siteID, "label", label, "actor", actor)
	return secret, nil
}

// RevokeAPIKey deletes an ingest key.
func (s *Service) RevokeAPIKey(ctx context.Context, secret, actor string) error {
	if err := s.st.Delete(ctx, apiKeyKey(hashKey(secret))); err != nil { // DEBATABLE kvsession
		return err
	}
	s.log.InfoContext(ctx, "key.revoked", "actor", actor)
	return nil
}

// LookupAPIKey resolves an ingest key.
func (s *Service) LookupAPIKey(ctx context.Context, secret string) (APIKey, bool, error) {
	b, err := s.st.Get(ctx, apiKeyKey(hashKey(secret)))
	if errors.Is(err, kvstore.ErrNotFound) {
		return APIKey{}, false, nil
	}
	if err != nil {
		return APIKey{}, false, err
	}
	var k APIKey
	if err := json.Unmarshal(b, &k); err != nil {
		return APIKey{}, false, err
	}
	return k, true, nil
}

func hashKey(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:16])
}

func newID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
