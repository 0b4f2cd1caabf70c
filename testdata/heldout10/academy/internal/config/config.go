// Package config loads the service configuration from the environment.
// Every setting has a default so a bare binary starts against dev namespaces.
package config

import (
	"log/slog"
	"os"
	"strconv"
	"time"
)

type Cloudflare struct {
	AccountID, APIToken string
	// NamespaceID holds course data, AuthNamespaceID sessions and one-time
	// codes, PublicNamespaceID what the public sites read.
	NamespaceID, AuthNamespaceID, PublicNamespaceID string
}

type Auth struct {
	SessionTTL, RefreshTTL, ResetTokenTTL, VerifyCodeTTL time.Duration
	ResetsPerHour                                        int
}

type Caching struct {
	CourseTTL    time.Duration
	DashboardTTL time.Duration
}

type Reports struct {
	PageSize, PageBudget, Workers int
}

type Config struct {
	Addr       string
	Cloudflare Cloudflare
	Auth       Auth
	Caching    Caching
	Reports    Reports
	QueueDepth int
}

func Load() Config {
	return Config{
		Addr: env("ACADEMY_ADDR", ":8080", id),
		Cloudflare: Cloudflare{
			AccountID:         env("CF_ACCOUNT_ID", "dev-account", id),
			APIToken:          env("CF_API_TOKEN", "", id),
			NamespaceID:       env("ACADEMY_KV_NAMESPACE", "dev-academy", id),
			AuthNamespaceID:   env("ACADEMY_KV_AUTH_NAMESPACE", "dev-academy-auth", id),
			PublicNamespaceID: env("ACADEMY_KV_PUBLIC_NAMESPACE", "dev-academy-public", id),
		},
		Auth: Auth{
			SessionTTL:    env("ACADEMY_SESSION_TTL", 12*time.Hour, time.ParseDuration),
			RefreshTTL:    env("ACADEMY_REFRESH_TTL", 30*24*time.Hour, time.ParseDuration),
			ResetTokenTTL: env("ACADEMY_RESET_TTL", 30*time.Minute, time.ParseDuration),
			VerifyCodeTTL: env("ACADEMY_VERIFY_TTL", 10*time.Minute, time.ParseDuration),
			ResetsPerHour: env("ACADEMY_RESETS_PER_HOUR", 5, strconv.Atoi),
		},
		Caching: Caching{
			CourseTTL:    env("ACADEMY_COURSE_CACHE_TTL", 10*time.Minute, time.ParseDuration),
			DashboardTTL: 45 * time.Second, // EXPECT kvttl
		},
		Reports: Reports{
			PageSize:   env("ACADEMY_REPORT_PAGE_SIZE", 1000, strconv.Atoi),
			PageBudget: env("ACADEMY_REPORT_PAGE_BUDGET", 200, strconv.Atoi),
			Workers:    env("ACADEMY_REPORT_WORKERS", 8, strconv.Atoi),
		},
		QueueDepth: env("ACADEMY_QUEUE_DEPTH", 256, strconv.Atoi),
	}
}

func id(s string) (string, error) { return s, nil }

// env parses the variable with parse, falling back to def when it is unset
// or invalid.
func env[T any](name string, def T, parse func(string) (T, error)) T {
	raw, ok := os.LookupEnv(name)
	if !ok || raw == "" {
		return def
	}
	v, err := parse(raw)
	if err != nil {
		slog.Warn("config: ignoring invalid value", "var", name, "value", raw, "err", err)
		return def
	}
	return v
}
