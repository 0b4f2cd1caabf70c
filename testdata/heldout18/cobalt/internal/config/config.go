// Package config loads the cobalt service configuration from a JSON file and
// the environment, and fills in defaults.
package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"
)

// Namespace identifies one Workers KV namespace reached over the REST API.
type Namespace struct {
	AccountID   string `json:"account_id"`
	NamespaceID string `json:"namespace_id"`
}

// Storage selects the storage driver used for the main device registry.
type Storage struct {
	Driver    string    `json:"driver"`
	APIToken  string    `json:"-"`
	BaseURL   string    `json:"base_url"`
	Registry  Namespace `json:"registry"`
	Shadows   Namespace `json:"shadows"`
	Pairing   Namespace `json:"pairing"`
	Telemetry Namespace `json:"telemetry"`
	Legacy    Namespace `json:"legacy"`
}

// Pairing holds the device pairing settings.
type Pairing struct {
	CodeTTLMillis     int64         `json:"code_ttl_ms"`
	SessionTTL        time.Duration `json:"session_ttl"`
	MaxAttempts       int           `json:"max_attempts"`
	AttemptWindowMins int           `json:"attempt_window_mins"`
}

// Telemetry holds ingest settings.
type Telemetry struct {
	Workers         int           `json:"workers"`
	QueueDepth      int           `json:"queue_depth"`
	BatchSize       int           `json:"batch_size"`
	FlushInterval   time.Duration `json:"flush_interval"`
	RetentionMillis int64         `json:"retention_ms"`
	InstanceID      string        `json:"instance_id"`
}

// Config is the full service configuration.
type Config struct {
	Listen           string        `json:"listen"`
	LogLevel         string        `json:"log_level"`
	LogJSON          bool          `json:"log_json"`
	Storage          Storage       `json:"storage"`
	Pairing          Pairing       `json:"pairing"`
	Telemetry        Telemetry     `json:"telemetry"`
	SummaryTTL       time.Duration `json:"summary_ttl"`
	SummaryRefresh   time.Duration `json:"summary_refresh"`
	ManifestCacheTTL time.Duration `json:"manifest_cache_ttl"`
	ManifestOrigin   string        `json:"manifest_origin"`
	APIKeyMaxAge     time.Duration `json:"api_key_max_age"`
	AlertCooldown    time.Duration `json:"alert_cooldown"`
	Tenant           string        `json:"tenant"`
}

func orDefault[T comparable](p *T, v T) {
	var zero T
	if *p == zero {
		*p = v
	}
}

// withDefaults returns a copy of c with every unset field given its default.
func (c Config) withDefaults() Config {
	orDefault(&c.Listen, ":8080")
	orDefault(&c.LogLevel, "info")
	orDefault(&c.Storage.Driver, "cloudflare-kv")
	orDefault(&c.Pairing.CodeTTLMillis, (10 * time.Minute).Milliseconds())
	orDefault(&c.Pairing.SessionTTL, 15*time.Minute)
	orDefault(&c.Pairing.MaxAttempts, 5)
	orDefault(&c.Pairing.AttemptWindowMins, 15)
	orDefault(&c.Telemetry.Workers, 8)
	orDefault(&c.Telemetry.QueueDepth, 1024)
	orDefault(&c.Telemetry.BatchSize, 200)
	orDefault(&c.Telemetry.FlushInterval, 2*time.Second)
	orDefault(&c.Telemetry.RetentionMillis, (7 * 24 * time.Hour).Milliseconds())
	if c.Telemetry.InstanceID == "" {
		c.Telemetry.InstanceID, _ = os.Hostname()
	}
	orDefault(&c.SummaryTTL, 30*time.Minute)
	orDefault(&c.SummaryRefresh, 5*time.Minute)
	orDefault(&c.ManifestCacheTTL, time.Hour)
	orDefault(&c.APIKeyMaxAge, 90*24*time.Hour)
	orDefault(&c.AlertCooldown, 15*time.Minute)
	orDefault(&c.Tenant, "default")
	return c
}

// Retention converts the telemetry retention to a duration.
func (t Telemetry) Retention() time.Duration {
	return time.Duration(t.RetentionMillis) * time.Millisecond
}

// AttemptWindow is the window over which pairing attempts are limited.
func (p Pairing) AttemptWindow() time.Duration {
	return time.Duration(p.AttemptWindowMins) * time.Minute
}

// Load reads path (if non-empty), applies environment overrides and defaults.
func Load(path string) (Config, error) {
	var c Config
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return Config{}, fmt.Errorf("config: %w", err)
		}
		if err := json.Unmarshal(b, &c); err != nil {
			return Config{}, fmt.Errorf("config: parse %s: %w", path, err)
		}
	}
	c.Storage.APIToken = os.Getenv("CLOUDFLARE_API_TOKEN")
	if v := os.Getenv("COBALT_LISTEN"); v != "" {
		c.Listen = v
	}
	c = c.withDefaults()
	if c.Storage.Driver == "cloudflare-kv" && c.Storage.APIToken == "" {
		return c, errors.New("config: CLOUDFLARE_API_TOKEN is required for the cloudflare-kv driver")
	}
	return c, nil
}
