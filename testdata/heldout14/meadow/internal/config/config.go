// Package config loads meadow's runtime configuration from the environment.
package config

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Plan is a tenant's billing plan.
type Plan string

const (
	PlanFree       Plan = "free"
	PlanTeam       Plan = "team"
	PlanEnterprise Plan = "enterprise"
)

// ParsePlan maps a stored plan name to a Plan, defaulting to free.
func ParsePlan(s string) Plan {
	switch p := Plan(strings.ToLower(strings.TrimSpace(s))); p {
	case PlanTeam, PlanEnterprise:
		return p
	}
	return PlanFree
}

// Quota is what a plan allows.
type Quota struct {
	RequestsPerMinute int
	MonthlyGrades     int
}

// Cloudflare holds the account and namespaces meadow stores data in.
type Cloudflare struct {
	APIToken, AccountID, NamespaceID string
	// LegacyNamespaceID holds lesson progress, still written with the v3 client.
	LegacyNamespaceID string
}

// TTLs are expirations of stored records. Seconds are int64 because that is
// how ops writes them in the deployment manifests.
type TTLs struct {
	SessionSeconds int64
	CatalogSeconds int64
	Idempotency    time.Duration
	WebhookDedupe  time.Duration
}

// Config is the whole runtime configuration.
type Config struct {
	Addr             string
	Cloudflare       Cloudflare
	TTL              TTLs
	RateWindow       time.Duration
	SigninWindow     time.Duration
	SigninMaxHits    int
	Plans            map[Plan]Quota
	SigningKey       []byte
	WebhookTolerance time.Duration
	AdminPageBudget  int
	ShutdownGrace    time.Duration
}

// Load reads the process environment.
func Load() (Config, error) {
	var errs []error
	str := func(k, def string) string {
		if v := os.Getenv(k); v != "" {
			return v
		}
		return def
	}
	req := func(k string) string {
		v := os.Getenv(k)
		if v == "" {
			errs = append(errs, fmt.Errorf("config: %s is required", k))
		}
		return v
	}
	num := func(k string, def int64) int64 {
		n, err := strconv.ParseInt(str(k, strconv.FormatInt(def, 10)), 10, 64)
		if err != nil {
			errs = append(errs, fmt.Errorf("config: %s: %w", k, err))
		}
		return n
	}
	dur := func(k string, def time.Duration) time.Duration {
		d, err := time.ParseDuration(str(k, def.String()))
		if err != nil {
			errs = append(errs, fmt.Errorf("config: %s: %w", k, err))
		}
		return d
	}
	cfg := Config{
		Addr: str("MEADOW_ADDR", ":8080"),
		Cloudflare: Cloudflare{
			APIToken:    req("CLOUDFLARE_API_TOKEN"),
			AccountID:   req("CLOUDFLARE_ACCOUNT_ID"),
			NamespaceID: req("MEADOW_KV_NAMESPACE"),
		},
		TTL: TTLs{
			SessionSeconds: num("MEADOW_SESSION_TTL_SECONDS", 7*24*3600),
			CatalogSeconds: num("MEADOW_CATALOG_TTL_SECONDS", 300),
			Idempotency:    dur("MEADOW_IDEMPOTENCY_TTL", 24*time.Hour),
			WebhookDedupe:  dur("MEADOW_WEBHOOK_DEDUPE_TTL", 72*time.Hour),
		},
		RateWindow:       dur("MEADOW_RATE_WINDOW", time.Minute),
		SigninWindow:     dur("MEADOW_SIGNIN_WINDOW", 15*time.Minute),
		SigninMaxHits:    int(num("MEADOW_SIGNIN_MAX_HITS", 10)),
		SigningKey:       []byte(req("MEADOW_SIGNING_KEY")),
		WebhookTolerance: dur("MEADOW_WEBHOOK_TOLERANCE", 5*time.Minute),
		AdminPageBudget:  int(num("MEADOW_ADMIN_PAGE_BUDGET", 20)),
		ShutdownGrace:    dur("MEADOW_SHUTDOWN_GRACE", 20*time.Second),
		Plans: map[Plan]Quota{
			PlanFree:       {RequestsPerMinute: 60, MonthlyGrades: 500},
			PlanTeam:       {RequestsPerMinute: 600, MonthlyGrades: 20000},
			PlanEnterprise: {RequestsPerMinute: 3000, MonthlyGrades: 500000},
		},
	}
	cfg.Cloudflare.LegacyNamespaceID = str("MEADOW_KV_LEGACY_NAMESPACE", cfg.Cloudflare.NamespaceID)
	for p, q := range cfg.Plans {
		up := strings.ToUpper(string(p))
		q.RequestsPerMinute = int(num("MEADOW_"+up+"_RPM", int64(q.RequestsPerMinute)))
		q.MonthlyGrades = int(num("MEADOW_"+up+"_MONTHLY_GRADES", int64(q.MonthlyGrades)))
		cfg.Plans[p] = q
	}
	return cfg, errors.Join(errs...)
}
