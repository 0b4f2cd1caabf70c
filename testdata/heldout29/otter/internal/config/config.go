// Package config loads the service configuration from the environment.
package config

import (
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"
)

// Config is the process configuration.
type Config struct {
	Addr, Backend, AccountID, APIToken, PortalBaseURL string

	Namespaces   map[string]string
	V6Namespaces map[string]string

	SessionTTL, MagicLinkTTL, RenderCacheTTL, IdempotencyTTL time.Duration
	DunningInterval, RedeliverEvery, FXRefreshEvery          time.Duration

	RequestsPerMin, DunningPageSize int
}

// Load reads the configuration once per process.
var Load = sync.OnceValues(func() (*Config, error) {
	c := &Config{
		Addr:            cmp.Or(os.Getenv("OTTER_ADDR"), ":8080"),
		Backend:         cmp.Or(os.Getenv("OTTER_BACKEND"), "kv"),
		AccountID:       os.Getenv("CF_ACCOUNT_ID"),
		APIToken:        os.Getenv("CF_API_TOKEN"),
		PortalBaseURL:   cmp.Or(os.Getenv("OTTER_PORTAL_URL"), "https://portal.example.com"),
		DunningPageSize: 500,
	}
	var err error
	for _, d := range []struct {
		dst *time.Duration
		env string
		def time.Duration
	}{
		{&c.SessionTTL, "OTTER_SESSION_TTL", 12 * time.Hour},
		{&c.MagicLinkTTL, "OTTER_MAGIC_LINK_TTL", 15 * time.Minute},
		{&c.RenderCacheTTL, "OTTER_RENDER_CACHE_TTL", 10 * time.Minute},
		{&c.IdempotencyTTL, "OTTER_IDEMPOTENCY_TTL", 24 * time.Hour},
		{&c.DunningInterval, "OTTER_DUNNING_INTERVAL", time.Hour},
		{&c.RedeliverEvery, "OTTER_REDELIVER_EVERY", 5 * time.Minute},
		{&c.FXRefreshEvery, "OTTER_FX_REFRESH_EVERY", 15 * time.Minute},
	} {
		if *d.dst, err = time.ParseDuration(cmp.Or(os.Getenv(d.env), d.def.String())); err != nil {
			return nil, fmt.Errorf("%s: %w", d.env, err)
		}
	}
	if c.RequestsPerMin, err = strconv.Atoi(cmp.Or(os.Getenv("OTTER_REQUESTS_PER_MIN"), "600")); err != nil {
		return nil, fmt.Errorf("OTTER_REQUESTS_PER_MIN: %w", err)
	}
	for env, dst := range map[string]*map[string]string{"OTTER_NAMESPACES": &c.Namespaces, "OTTER_V6_NAMESPACES": &c.V6Namespaces} {
		if err := json.Unmarshal([]byte(cmp.Or(os.Getenv(env), "{}")), dst); err != nil {
			return nil, fmt.Errorf("%s: %w", env, err)
		}
	}
	if c.Backend == "kv" && c.AccountID == "" {
		return nil, fmt.Errorf("CF_ACCOUNT_ID is required for the kv backend")
	}
	return c, nil
})

func (c *Config) V6(name string) string { return c.V6Namespaces[name] }
