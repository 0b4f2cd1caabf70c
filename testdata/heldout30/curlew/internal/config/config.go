// Package config holds curlew's typed configuration. Defaults are embedded
// in the binary; deployment-specific values come from the environment.
package config

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"
)

//go:embed defaults.json
var defaultsJSON []byte

// Duration is a time.Duration written as a Go duration string ("15m").
type Duration struct{ time.Duration }

// UnmarshalJSON parses the duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration %q: %w", s, err)
	}
	d.Duration = v
	return nil
}

// Config is the whole configuration.
type Config struct {
	AccountID  string `json:"-"`
	APIToken   string `json:"-"`
	ListenAddr string `json:"-"`

	Namespaces struct {
		Main     string `json:"main"`
		Partners string `json:"partners"`
		POD      string `json:"pod"`
	} `json:"namespaces"`

	Sessions struct {
		MagicLink Duration `json:"magic_link"`
	} `json:"sessions"`

	Tracking struct {
		LiveETATTL Duration `json:"live_eta_ttl"`
	} `json:"tracking"`

	Geocode struct {
		CacheTTL    Duration `json:"cache_ttl"`
		Jitter      Duration `json:"jitter"`
		ProviderURL string   `json:"provider_url"`
	} `json:"geocode"`

	Partner struct {
		DailyQuota     int      `json:"daily_quota"`
		WebhookTimeout Duration `json:"webhook_timeout"`
	} `json:"partner"`

	Jobs struct {
		QueueSize    int      `json:"queue_size"`
		SweepEvery   Duration `json:"sweep_every"`
		SummaryEvery Duration `json:"summary_every"`
	} `json:"jobs"`

	POD struct {
		Retention Duration `json:"retention"`
	} `json:"pod"`
}

// Load parses the embedded defaults and applies environment overrides.
func Load() (Config, error) {
	var cfg Config
	if err := json.Unmarshal(defaultsJSON, &cfg); err != nil {
		return Config{}, fmt.Errorf("config: embedded defaults: %w", err)
	}
	cfg.AccountID = os.Getenv("CF_ACCOUNT_ID")
	cfg.APIToken = os.Getenv("CF_API_TOKEN")
	cfg.ListenAddr = envOr("CURLEW_ADDR", ":8080")
	cfg.Namespaces.Main = envOr("CURLEW_NS_MAIN", cfg.Namespaces.Main)

	var errs []error
	if cfg.AccountID == "" {
		errs = append(errs, errors.New("CF_ACCOUNT_ID is not set"))
	}
	if cfg.APIToken == "" {
		errs = append(errs, errors.New("CF_API_TOKEN is not set"))
	}
	if cfg.Jobs.SweepEvery.Duration <= 0 || cfg.Jobs.SummaryEvery.Duration <= 0 {
		errs = append(errs, errors.New("job intervals must be positive"))
	}
	if err := errors.Join(errs...); err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	return cfg, nil
}

func envOr(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}
