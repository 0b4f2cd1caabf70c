// Package config loads service configuration from the environment.
package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"
)

// Env names a deployment environment: production, staging or dev.
type Env string

// Namespaces holds the KV namespace IDs for one environment.
type Namespaces struct {
	Sessions  string `json:"sessions"`
	Catalog   string `json:"catalog"`
	Feeds     string `json:"feeds"`
	Analytics string `json:"analytics"`
	Jobs      string `json:"jobs"`
	Sponsors  string `json:"sponsors"`
	Invites   string `json:"invites"`
}

// Config is the process configuration.
type Config struct {
	Env       Env
	AccountID string
	APIToken  string
	Listen    string
	OriginURL string
	Location  *time.Location

	// Namespaces per environment; the running one is chosen by Env.
	Namespaces map[Env]Namespaces
	// AnalyticsByTenant sends large networks' analytics to their own
	// namespace. Tenants not listed use Namespaces[Env].Analytics.
	AnalyticsByTenant map[string]string

	SessionHours      int
	FeedTokenDays     int
	InviteValidDays   int
	FeedFetchPerMin   int
	TranscriptWorkers int
}

// NS returns the namespace set of the running environment.
func (c Config) NS() Namespaces { return c.Namespaces[c.Env] }

// Load reads the configuration from the environment.
func Load() (Config, error) {
	c := Config{
		Env:               Env(getenv("IBEX_ENV", "dev")),
		AccountID:         os.Getenv("CF_ACCOUNT_ID"),
		APIToken:          os.Getenv("CF_API_TOKEN"),
		Listen:            getenv("IBEX_LISTEN", ":8080"),
		OriginURL:         getenv("IBEX_ORIGIN_URL", "http://localhost:9090"),
		SessionHours:      atoi("IBEX_SESSION_HOURS", 12),
		FeedTokenDays:     atoi("IBEX_FEED_TOKEN_DAYS", 365),
		InviteValidDays:   atoi("IBEX_INVITE_DAYS", 14),
		FeedFetchPerMin:   atoi("IBEX_FEED_FETCH_PER_MIN", 120),
		TranscriptWorkers: atoi("IBEX_TRANSCRIPT_WORKERS", 4),
	}
	var errs []error
	if c.AccountID == "" || c.APIToken == "" {
		errs = append(errs, errors.New("CF_ACCOUNT_ID and CF_API_TOKEN are required"))
	}
	loc, err := time.LoadLocation(getenv("IBEX_TZ", "UTC"))
	if err != nil {
		errs = append(errs, fmt.Errorf("IBEX_TZ: %w", err))
	}
	c.Location = loc
	if err := json.Unmarshal([]byte(getenv("IBEX_NAMESPACES", "{}")), &c.Namespaces); err != nil {
		errs = append(errs, fmt.Errorf("IBEX_NAMESPACES: %w", err))
	}
	if err := json.Unmarshal([]byte(getenv("IBEX_TENANT_ANALYTICS", "{}")), &c.AnalyticsByTenant); err != nil {
		errs = append(errs, fmt.Errorf("IBEX_TENANT_ANALYTICS: %w", err))
	}
	if _, ok := c.Namespaces[c.Env]; !ok {
		errs = append(errs, fmt.Errorf("no namespaces configured for %q", c.Env))
	}
	return c, errors.Join(errs...)
}

func getenv(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func atoi(k string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(k)); err == nil && v > 0 {
		return v
	}
	return def
}
