// Package config loads fleet backend settings from a JSON file and the
// environment. Environment variables win over the file so that operators can
// override a single value on a deploy without shipping a new file.
package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Tier is the service tier of a customer organisation.
type Tier int

const (
	TierStandard Tier = iota
	TierPro
	TierEnterprise
)

// ParseTier accepts the names used in the admin console.
func ParseTier(s string) (Tier, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "standard":
		return TierStandard, nil
	case "pro":
		return TierPro, nil
	case "enterprise", "ent":
		return TierEnterprise, nil
	}
	return TierStandard, fmt.Errorf("config: unknown tier %q", s)
}

// Namespaces holds the KV namespace IDs used by the backend.
type Namespaces struct {
	Devices   string `json:"devices"`
	Firmware  string `json:"firmware"`
	Telemetry string `json:"telemetry"`
	Auth      string `json:"auth"`
	Rollout   string `json:"rollout"`
	Reports   string `json:"reports"`
}

// Config is the resolved backend configuration.
type Config struct {
	AccountID  string     `json:"account_id"`
	APIToken   string     `json:"-"`
	Listen     string     `json:"listen"`
	Namespaces Namespaces `json:"namespaces"`
	Tier       Tier       `json:"-"`

	// Raw duration strings as they appear in the file, parsed below.
	SessionTTLRaw   string `json:"session_ttl"`
	TokenTTLRaw     string `json:"device_token_ttl"`
	ManifestTTLRaw  string `json:"manifest_cache_ttl"`
	FlushEveryRaw   string `json:"telemetry_flush_every"`
	LockWindowRaw   string `json:"rollout_lock_window"`
	MagicLinkTTLRaw string `json:"magic_link_ttl"`

	SessionTTL   time.Duration `json:"-"`
	TokenTTL     time.Duration `json:"-"`
	ManifestTTL  time.Duration `json:"-"`
	FlushEvery   time.Duration `json:"-"`
	LockWindow   time.Duration `json:"-"`
	MagicLinkTTL time.Duration `json:"-"`

	// ReportPageBudget bounds how many list pages the nightly report reads
	// per device folder.
	ReportPageBudget int `json:"report_page_budget"`
	// CodeBatchSize is how many provisioning codes are minted per request.
	CodeBatchSize int `json:"code_batch_size"`
	// CodeTTLSeconds is the lifetime of a provisioning code.
	CodeTTLSeconds int `json:"code_ttl_seconds"`
}

func defaults() Config {
	return Config{
		Listen:           ":8080",
		SessionTTLRaw:    "12h",
		TokenTTLRaw:      "720h",
		ManifestTTLRaw:   "10m",
		FlushEveryRaw:    "1m",
		LockWindowRaw:    "15m",
		MagicLinkTTLRaw:  "15m",
		ReportPageBudget: 20,
		CodeBatchSize:    500,
		CodeTTLSeconds:   7 * 24 * 3600,
	}
}

// Load reads path (if non-empty) and then applies FLEET_* environment
// variables.
func Load(path string) (*Config, error) {
	cfg := defaults()
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		if err := json.Unmarshal(b, &cfg); err != nil {
			return nil, fmt.Errorf("config: %s: %w", path, err)
		}
	}

	env := func(name string, dst *string) {
		if v, ok := os.LookupEnv(name); ok && v != "" {
			*dst = v
		}
	}
	env("FLEET_ACCOUNT_ID", &cfg.AccountID)
	env("FLEET_LISTEN", &cfg.Listen)
	env("FLEET_NS_DEVICES", &cfg.Namespaces.Devices)
	env("FLEET_NS_FIRMWARE", &cfg.Namespaces.Firmware)
	env("FLEET_NS_TELEMETRY", &cfg.Namespaces.Telemetry)
	env("FLEET_NS_AUTH", &cfg.Namespaces.Auth)
	env("FLEET_NS_ROLLOUT", &cfg.Namespaces.Rollout)
	env("FLEET_NS_REPORTS", &cfg.Namespaces.Reports)
	env("FLEET_SESSION_TTL", &cfg.SessionTTLRaw)
	env("FLEET_DEVICE_TOKEN_TTL", &cfg.TokenTTLRaw)
	env("FLEET_MANIFEST_TTL", &cfg.ManifestTTLRaw)
	env("FLEET_FLUSH_EVERY", &cfg.FlushEveryRaw)
	env("FLEET_LOCK_WINDOW", &cfg.LockWindowRaw)
	env("FLEET_MAGIC_LINK_TTL", &cfg.MagicLinkTTLRaw)
	cfg.APIToken = os.Getenv("CLOUDFLARE_API_TOKEN")

	var errs []error
	num := func(name string, dst *int) {
		v := os.Getenv(name)
		if v == "" {
			return
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			return
		}
		*dst = n
	}
	num("FLEET_REPORT_PAGE_BUDGET", &cfg.ReportPageBudget)
	num("FLEET_CODE_BATCH_SIZE", &cfg.CodeBatchSize)
	num("FLEET_CODE_TTL_SECONDS", &cfg.CodeTTLSeconds)

	dur := func(raw string, dst *time.Duration) {
		d, err := time.ParseDuration(raw)
		if err != nil {
			errs = append(errs, err)
			return
		}
		*dst = d
	}
	dur(cfg.SessionTTLRaw, &cfg.SessionTTL)
	dur(cfg.TokenTTLRaw, &cfg.TokenTTL)
	dur(cfg.ManifestTTLRaw, &cfg.ManifestTTL)
	dur(cfg.FlushEveryRaw, &cfg.FlushEvery)
	dur(cfg.LockWindowRaw, &cfg.LockWindow)
	dur(cfg.MagicLinkTTLRaw, &cfg.MagicLinkTTL)

	tier, err := ParseTier(os.Getenv("FLEET_TIER"))
	if err != nil {
		errs = append(errs, err)
	}
	cfg.Tier = tier

	if cfg.AccountID == "" {
		errs = append(errs, errors.New("config: account id is required"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &cfg, nil
}
