// Package tenants manages tenant records and gateway-wide settings.
package tenants

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"example.com/gateway/internal/keys"
	"example.com/gateway/internal/repo"
	"example.com/gateway/internal/store"
)

var (
	ErrSlugTaken   = errors.New("tenants: slug already taken")
	ErrInvalidSlug = errors.New("tenants: invalid slug")
)

var slugRE = regexp.MustCompile(`^[a-z][a-z0-9-]{2,39}$`)

// Tenant is one customer organisation. Its slug becomes its subdomain at
// the edge (<slug>.api.example.com).
type Tenant struct {
	Slug      string    `json:"slug"`
	Name      string    `json:"name"`
	Plan      string    `json:"plan"`
	CreatedAt time.Time `json:"created_at"`
}

func (t Tenant) Key() string { return t.Slug }

// Settings is the single gateway-wide settings document.
type Settings struct {
	DefaultPlan   string   `json:"default_plan"`
	AllowedRegion []string `json:"allowed_regions"`
}

// Key is empty: the repo prefix is already the full key.
func (Settings) Key() string { return "" }

// Service embeds the tenant repository.
type Service struct {
	*repo.Repo[Tenant]
	settings *repo.Repo[Settings]
}

// NewService wires a Service.
func NewService(st store.Store) *Service {
	return &Service{
		Repo:     repo.New[Tenant](st, keys.TenantPrefix),
		settings: repo.New[Settings](st, keys.GatewaySettings),
	}
}

// Claim registers a new tenant under slug.
func (s *Service) Claim(ctx context.Context, slug, name string) (Tenant, error) {
	if !slugRE.MatchString(slug) {
		return Tenant{}, fmt.Errorf("%q: %w", slug, ErrInvalidSlug)
	}
	if _, err := s.Get(ctx, slug); err == nil {
		return Tenant{}, ErrSlugTaken
	} else if !errors.Is(err, store.ErrNotFound) {
		return Tenant{}, err
	}
	plan := "free"
	if st, err := s.settings.Get(ctx, ""); err == nil && st.DefaultPlan != "" {
		plan = st.DefaultPlan
	}
	t := Tenant{Slug: slug, Name: name, Plan: plan, CreatedAt: time.Now().UTC()}
	if err := s.Save(ctx, t); err != nil { // EXPECT kvrace
		return Tenant{}, err
	}
	return t, nil
}

// UpdateSettings replaces the gateway-wide settings.
func (s *Service) UpdateSettings(ctx context.Context, st Settings) error {
	return s.settings.Save(ctx, st)
}
