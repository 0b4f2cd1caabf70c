// Package tenants manages per-publication settings.
package tenants

import (
	"context"
	"errors"
	"fmt"
	"time"

	"example.com/pressroom/internal/repo"
	"example.com/pressroom/internal/store"
)

// Settings are the per-tenant options editors can change.
type Settings struct {
	Tenant     string    `json:"tenant"`
	FromName   string    `json:"from_name"`
	ReplyTo    string    `json:"reply_to"`
	Timezone   string    `json:"timezone"`
	FooterHTML string    `json:"footer_html"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Key matches keys.Tenant(t).Settings() under the "tenant:" prefix.
func (s Settings) Key() string { return s.Tenant + ":settings" }

// Defaults are used until a tenant saves its own settings.
func Defaults(tenant string) Settings {
	return Settings{Tenant: tenant, FromName: "Newsroom", Timezone: "UTC"}
}

// Patch holds the fields of a partial update; nil means unchanged.
type Patch struct {
	FromName   *string `json:"from_name"`
	ReplyTo    *string `json:"reply_to"`
	Timezone   *string `json:"timezone"`
	FooterHTML *string `json:"footer_html"`
}

// Service reads and writes settings.
type Service struct {
	repo *repo.Repo[Settings]
	now  func() time.Time
}

// New returns a Service over st.
func New(st store.Store) *Service {
	return &Service{repo: repo.New[Settings](st, "tenant:"), now: time.Now}
}

// Get returns the tenant's settings, or the defaults.
func (s *Service) Get(ctx context.Context, tenant string) (Settings, error) {
	cur, err := s.repo.Get(ctx, tenant+":settings")
	if errors.Is(err, store.ErrNotFound) {
		return Defaults(tenant), nil
	}
	return cur, err
}

// Update applies a partial update from the settings form.
func (s *Service) Update(ctx context.Context, tenant string, p Patch) (Settings, error) {
	cur, err := s.Get(ctx, tenant)
	if err != nil {
		return Settings{}, fmt.Errorf("settings %s: %w", tenant, err)
	}
	for dst, src := range map[*string]*string{
		&cur.FromName:   p.FromName,
		&cur.ReplyTo:    p.ReplyTo,
		&cur.Timezone:   p.Timezone,
		&cur.FooterHTML: p.FooterHTML,
	} {
		if src != nil {
			*dst = *src
		}
	}
	if _, err := time.LoadLocation(cur.Timezone); err != nil {
		return Settings{}, fmt.Errorf("settings %s: timezone: %w", tenant, err)
	}
	cur.UpdatedAt = s.now()
	if err := s.repo.Save(ctx, cur); err != nil { // EXPECT kvrace
		return Settings{}, err
	}
	return cur, nil
}

// Replace overwrites the settings with a complete document (used by the
// provisioning API, which always sends every field).
func (s *Service) Replace(ctx context.Context, next Settings) error {
	next.UpdatedAt = s.now()
	return s.repo.Save(ctx, next)
}
