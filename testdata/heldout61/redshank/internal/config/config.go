// Package config loads redshank's settings with koanf: built-in defaults,
// then an optional YAML file, then REDSHANK_* environment variables
// (REDSHANK_SESSIONS__TTL=12h sets sessions.ttl).
package config

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/knadh/koanf/parsers/yaml"
	"github.com/knadh/koanf/providers/env/v2"
	"github.com/knadh/koanf/providers/file"
	"github.com/knadh/koanf/v2"
)

type Config struct {
	Cloudflare CloudflareConfig `koanf:"cloudflare"`
	HTTP       struct {
		Addr     string `koanf:"addr"`
		GRPCAddr string `koanf:"grpc_addr"`
	} `koanf:"http"`
	DatabaseURL string        `koanf:"database_url"`
	Sessions    SessionConfig `koanf:"sessions"`
	Quota       QuotaConfig   `koanf:"quota"`
	Assign      AssignConfig  `koanf:"assign"`
	Jobs        JobsConfig    `koanf:"jobs"`
	Kafka       KafkaConfig   `koanf:"kafka"`
	NATS        NATSConfig    `koanf:"nats"`
}

// CloudflareConfig holds the account and the KV namespace IDs. The edge
// Worker binds the same namespaces as EXPERIMENTS and METRICS.
type CloudflareConfig struct {
	AccountID  string `koanf:"account_id"`
	APIToken   string `koanf:"api_token"`
	Namespaces struct {
		Experiments string `koanf:"experiments"`
		Sessions    string `koanf:"sessions"`
		Metrics     string `koanf:"metrics"`
	} `koanf:"namespaces"`
}

type SessionConfig struct {
	TTL              time.Duration `koanf:"ttl"`
	MagicLinkTTL     time.Duration `koanf:"magic_link_ttl"`
	LockoutWindow    time.Duration `koanf:"lockout_window"`
	MaxLoginAttempts int           `koanf:"max_login_attempts"`
}

type QuotaConfig struct {
	Window time.Duration `koanf:"window"`
	Limit  int           `koanf:"limit"`
}

type AssignConfig struct {
	StickyTTL      time.Duration `koanf:"sticky_ttl"`
	ExposureLogTTL time.Duration `koanf:"exposure_log_ttl"`
	IdempotencyTTL time.Duration `koanf:"idempotency_ttl"`
}

type JobsConfig struct {
	SweepEvery        time.Duration `koanf:"sweep_every"`
	ManifestEvery     time.Duration `koanf:"manifest_every"`
	RotateEvery       time.Duration `koanf:"rotate_every"`
	SnapshotRetention time.Duration `koanf:"snapshot_retention"`
	ListPageSize      int           `koanf:"list_page_size"`
	MaxListPages      int           `koanf:"max_list_pages"`
}

type KafkaConfig struct {
	Brokers    []string      `koanf:"brokers"`
	GroupID    string        `koanf:"group_id"`
	Topics     []string      `koanf:"topics"`
	BatchSize  int           `koanf:"batch_size"`
	FlushEvery time.Duration `koanf:"flush_every"`
	DigestTTL  time.Duration `koanf:"digest_ttl"`
}

type NATSConfig struct {
	URL           string `koanf:"url"`
	RolloutStream string `koanf:"rollout_stream"`
	FlagStream    string `koanf:"flag_stream"`
	QueueGroup    string `koanf:"queue_group"`
}

// Default returns the settings used when nothing overrides them.
func Default() Config {
	var c Config
	c.HTTP.Addr, c.HTTP.GRPCAddr = ":8080", ":9090"
	c.Sessions = SessionConfig{TTL: 12 * time.Hour, MagicLinkTTL: 15 * time.Minute, LockoutWindow: 15 * time.Minute, MaxLoginAttempts: 5}
	c.Quota = QuotaConfig{Window: time.Minute, Limit: 600}
	c.Assign = AssignConfig{StickyTTL: 30 * 24 * time.Hour, ExposureLogTTL: 7 * 24 * time.Hour, IdempotencyTTL: 24 * time.Hour}
	c.Jobs = JobsConfig{SweepEvery: time.Hour, ManifestEvery: 5 * time.Minute, RotateEvery: 24 * time.Hour,
		SnapshotRetention: 30 * 24 * time.Hour, ListPageSize: 1000, MaxListPages: 20}
	c.Kafka = KafkaConfig{GroupID: "redshank-ingest", Topics: []string{"exposures", "conversions", "experiment-config"},
		BatchSize: 500, FlushEvery: 10 * time.Second, DigestTTL: 48 * time.Hour}
	c.NATS = NATSConfig{URL: "nats://127.0.0.1:4222", RolloutStream: "ROLLOUTS", FlagStream: "FLAGS", QueueGroup: "redshank-api"}
	return c
}

// Load reads the configuration. path may be empty.
func Load(path string) (*Config, error) {
	k := koanf.New(".")
	if path != "" {
		if err := k.Load(file.Provider(path), yaml.Parser()); err != nil {
			return nil, fmt.Errorf("config: %s: %w", path, err)
		}
	}
	envProvider := env.Provider(".", env.Opt{
		Prefix: "REDSHANK_",
		TransformFunc: func(key, value string) (string, any) {
			key = strings.ToLower(strings.TrimPrefix(key, "REDSHANK_"))
			key = strings.ReplaceAll(key, "__", ".")
			if strings.HasSuffix(key, "brokers") || strings.HasSuffix(key, "topics") {
				return key, strings.Split(value, ",")
			}
			return key, value
		},
	})
	if err := k.Load(envProvider, nil); err != nil {
		return nil, fmt.Errorf("config: env: %w", err)
	}

	cfg := Default()
	if err := k.Unmarshal("", &cfg); err != nil {
		return nil, fmt.Errorf("config: unmarshal: %w", err)
	}
	return &cfg, cfg.validate()
}

func (c *Config) validate() error {
	var errs []error
	ns := c.Cloudflare.Namespaces
	if c.Cloudflare.AccountID == "" || ns.Experiments == "" || ns.Sessions == "" || ns.Metrics == "" {
		errs = append(errs, errors.New("cloudflare.account_id and cloudflare.namespaces.* are required"))
	}
	if c.Quota.Limit <= 0 {
		errs = append(errs, errors.New("quota.limit must be positive"))
	}
	if c.Jobs.ListPageSize < 10 || c.Jobs.ListPageSize > 1000 {
		errs = append(errs, errors.New("jobs.list_page_size must be in 10..1000"))
	}
	return errors.Join(errs...)
}
