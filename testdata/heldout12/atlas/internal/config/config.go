// Package config loads atlas configuration from the environment.
package config

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is the root of the process configuration.
type Config struct {
	Cloudflare struct {
		AccountID, APIToken, LegacyAPIToken, BaseURL string
		MaxRetries                                   int
	}
	Storage StorageConfig
	HTTP    struct {
		Addr                      string
		ReadTimeout, WriteTimeout time.Duration
	}
	Analytics AnalyticsConfig
	APIKeys   APIKeyConfig
}

type StorageConfig struct {
	Namespaces struct {
		Routing, Content, Sessions, Analytics, Legacy string
	}
	Sessions     SessionConfig
	Previews     PreviewConfig
	Manifests    ManifestConfig
	ListPageSize int
	MaxListPages int
}

type SessionConfig struct {
	TTL     time.Duration
	IdleTTL time.Duration
}

type PreviewConfig struct {
	DefaultTTL time.Duration
	MaxTTL     time.Duration
}

type ManifestConfig struct {
	CacheTTL    time.Duration
	HistoryKeep int
}

type AnalyticsConfig struct {
	FlushInterval time.Duration
	Workers       int
	Instance      string
}

type APIKeyConfig struct {
	RequestsPerMinute int
}

// Load reads the configuration from the process environment.
func Load() (*Config, error) { return LoadFrom(os.Getenv) }

// LoadFrom reads the configuration using getenv, which tests replace.
func LoadFrom(getenv func(string) string) (*Config, error) {
	var errs []string
	str := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	num := func(name string, def int) int {
		n, err := strconv.Atoi(str(name, strconv.Itoa(def)))
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: %v", name, err))
		}
		return n
	}
	dur := func(name string, def time.Duration) time.Duration {
		d, err := time.ParseDuration(str(name, def.String()))
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: %v", name, err))
		}
		return d
	}

	cfg := &Config{}
	cf := &cfg.Cloudflare
	cf.AccountID = str("CF_ACCOUNT_ID", "")
	cf.APIToken = str("CF_API_TOKEN", "")
	cf.LegacyAPIToken = str("CF_LEGACY_API_TOKEN", "")
	cf.BaseURL = str("CF_API_BASE_URL", "")
	cf.MaxRetries = num("CF_MAX_RETRIES", 2)

	st := &cfg.Storage
	st.Namespaces.Routing = str("ATLAS_KV_ROUTING", "")
	st.Namespaces.Content = str("ATLAS_KV_CONTENT", "")
	st.Namespaces.Sessions = str("ATLAS_KV_SESSIONS", "")
	st.Namespaces.Analytics = str("ATLAS_KV_ANALYTICS", "")
	st.Namespaces.Legacy = str("ATLAS_KV_LEGACY", "")
	st.Sessions = SessionConfig{TTL: dur("ATLAS_SESSION_TTL", 12*time.Hour), IdleTTL: dur("ATLAS_SESSION_IDLE_TTL", 2*time.Hour)}
	st.Previews = PreviewConfig{DefaultTTL: dur("ATLAS_PREVIEW_TTL", 72*time.Hour), MaxTTL: dur("ATLAS_PREVIEW_MAX_TTL", 30*24*time.Hour)}
	st.Manifests = ManifestConfig{CacheTTL: dur("ATLAS_MANIFEST_CACHE_TTL", time.Hour), HistoryKeep: num("ATLAS_BUILD_HISTORY", 25)}
	st.ListPageSize = num("ATLAS_LIST_PAGE_SIZE", 1000)
	st.MaxListPages = num("ATLAS_LIST_MAX_PAGES", 50)

	cfg.HTTP.Addr = str("ATLAS_HTTP_ADDR", ":8080")
	cfg.HTTP.ReadTimeout = dur("ATLAS_HTTP_READ_TIMEOUT", 15*time.Second)
	cfg.HTTP.WriteTimeout = dur("ATLAS_HTTP_WRITE_TIMEOUT", 30*time.Second)
	host, _ := os.Hostname()
	cfg.Analytics = AnalyticsConfig{
		FlushInterval: dur("ATLAS_ANALYTICS_FLUSH", time.Minute),
		Workers:       max(num("ATLAS_ANALYTICS_WORKERS", 8), 1),
		Instance:      str("ATLAS_INSTANCE", host),
	}
	cfg.APIKeys.RequestsPerMinute = num("ATLAS_APIKEY_RPM", 600)

	if cf.AccountID == "" {
		errs = append(errs, "CF_ACCOUNT_ID is required")
	}
	if st.ListPageSize <= 0 || st.ListPageSize > 1000 {
		errs = append(errs, fmt.Sprintf("ATLAS_LIST_PAGE_SIZE must be in 1..1000, got %d", st.ListPageSize))
	}
	if st.MaxListPages <= 0 {
		errs = append(errs, "ATLAS_LIST_MAX_PAGES must be positive")
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("config: %s", strings.Join(errs, "; "))
	}
	return cfg, nil
}
