// Package config loads fleetd settings with koanf: built-in defaults, then a
// YAML file, then FLEETD_* environment variables (FLEETD_GRPC__ADDR sets
// grpc.addr).
package config

import (
	"fmt"
	"strings"
	"time"

	"github.com/knadh/koanf/parsers/yaml"
	"github.com/knadh/koanf/providers/confmap"
	"github.com/knadh/koanf/providers/env/v2"
	"github.com/knadh/koanf/providers/file"
	"github.com/knadh/koanf/v2"
)

// Config is the full fleetd configuration tree.
type Config struct {
	Cloudflare struct {
		AccountID         string `koanf:"account_id"`
		APIToken          string `koanf:"api_token"`
		NamespaceID       string `koanf:"namespace_id"`
		LegacyNamespaceID string `koanf:"legacy_namespace_id"`
	} `koanf:"cloudflare"`
	GRPC GRPC `koanf:"grpc"`
	HTTP struct {
		Addr string `koanf:"addr"`
	} `koanf:"http"`
	Sessions struct {
		ListPageSize int `koanf:"list_page_size"`
		MaxPages     int `koanf:"max_pages"`
	} `koanf:"sessions"`
	Provisioning struct {
		TokenTTL time.Duration `koanf:"token_ttl"`
	} `koanf:"provisioning"`
	Alerts struct {
		DedupWindow   time.Duration `koanf:"dedup_window"`
		HistoryTTL    time.Duration `koanf:"history_ttl"`
		SnoozeWindow  time.Duration `koanf:"snooze_window"`
		DigestSubject string        `koanf:"digest_subject"`
	} `koanf:"alerts"`
	Firmware Firmware `koanf:"firmware"`
	NATS     struct {
		URL     string `koanf:"url"`
		Stream  string `koanf:"stream"`
		Durable string `koanf:"durable"`
		Queue   string `koanf:"queue"`
	} `koanf:"nats"`
	Kafka     Kafka     `koanf:"kafka"`
	River     River     `koanf:"river"`
	Telemetry Telemetry `koanf:"telemetry"`
}

type GRPC struct {
	Addr           string        `koanf:"addr"`
	QuotaWindow    time.Duration `koanf:"quota_window"`
	QuotaPerWindow int           `koanf:"quota_per_window"`
}

type Firmware struct {
	CohortPageSize  int           `koanf:"cohort_page_size"`
	StepInterval    time.Duration `koanf:"step_interval"`
	ReportRetention time.Duration `koanf:"report_retention"`
}

type Kafka struct {
	Brokers   []string      `koanf:"brokers"`
	GroupID   string        `koanf:"group_id"`
	BatchSize int           `koanf:"batch_size"`
	MaxWait   time.Duration `koanf:"max_wait"`
}

type Telemetry struct {
	LatestTTL time.Duration `koanf:"latest_ttl"`
	Retention time.Duration `koanf:"retention"`
}

type River struct {
	DSN          string        `koanf:"dsn"`
	SummaryEvery time.Duration `koanf:"summary_every"`
	RollupEvery  time.Duration `koanf:"rollup_every"`
}

var defaults = map[string]any{
	"grpc.addr":                 ":7443",
	"grpc.quota_window":         "1m",
	"grpc.quota_per_window":     600,
	"http.addr":                 ":8080",
	"sessions.list_page_size":   500,
	"sessions.max_pages":        20,
	"provisioning.token_ttl":    "24h",
	"alerts.dedup_window":       "10m",
	"alerts.history_ttl":        "72h",
	"alerts.snooze_window":      "20s",
	"alerts.digest_subject":     "fleet.alerts.digest",
	"firmware.cohort_page_size": 1000,
	"firmware.step_interval":    "2m",
	"firmware.report_retention": "168h",
	"nats.url":                  "nats://127.0.0.1:4222",
	"nats.stream":               "FLEET",
	"nats.durable":              "fleetd-firmware",
	"nats.queue":                "fleetd",
	"kafka.group_id":            "fleetd",
	"kafka.batch_size":          200,
	"kafka.max_wait":            "2s",
	"river.summary_every":       "5m",
	"river.rollup_every":        "1m",
	"telemetry.latest_ttl":      "2h",
	"telemetry.retention":       "720h",
}

// Load reads the configuration. path may be empty.
func Load(path string) (*Config, error) {
	k := koanf.New(".")
	if err := k.Load(confmap.Provider(defaults, "."), nil); err != nil {
		return nil, fmt.Errorf("config defaults: %w", err)
	}
	if path != "" {
		if err := k.Load(file.Provider(path), yaml.Parser()); err != nil {
			return nil, fmt.Errorf("config file %s: %w", path, err)
		}
	}
	fromEnv := env.Provider(".", env.Opt{
		Prefix: "FLEETD_",
		TransformFunc: func(key, value string) (string, any) {
			key = strings.ToLower(strings.TrimPrefix(key, "FLEETD_"))
			return strings.ReplaceAll(key, "__", "."), value
		},
	})
	if err := k.Load(fromEnv, nil); err != nil {
		return nil, fmt.Errorf("config env: %w", err)
	}
	var cfg Config
	if err := k.Unmarshal("", &cfg); err != nil {
		return nil, fmt.Errorf("config unmarshal: %w", err)
	}
	return &cfg, nil
}
