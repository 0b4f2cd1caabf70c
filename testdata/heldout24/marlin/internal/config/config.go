// Package config loads service configuration from a flat JSON file and the
// environment. Durations are Go duration strings ("90s", "6h"); the
// environment variable MARLIN_<KEY> overrides the file's "<key>".
package config

import (
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is the full service configuration. It is passed down by value.
type Config struct {
	Addr       string
	Cloudflare struct {
		APIToken, AccountID                             string
		CacheNamespace, StateNamespace, MetricNamespace string
	}
	Cache struct {
		FeedTTL, ShowTTL, EmbedTTL, NegativeTTL time.Duration
	}
	Auth struct {
		SessionTTL, InviteTTL, LoginWindow time.Duration
		LoginBudget                        int
		TokenPepper                        string
	}
	Jobs struct {
		FlushInterval, CompactInterval, ReportInterval time.Duration
		ScanPageBudget, Workers                        int
	}
}

type source struct {
	file map[string]string
	errs []error
}

func (s *source) str(key, fallback string) string {
	return cmp.Or(os.Getenv("MARLIN_"+strings.ToUpper(key)), s.file[key], fallback)
}

func (s *source) dur(key string, fallback time.Duration) time.Duration {
	raw := s.str(key, "")
	if raw == "" {
		return fallback
	}
	d, err := time.ParseDuration(raw)
	if err != nil {
		s.errs = append(s.errs, fmt.Errorf("%s: %w", key, err))
	}
	return cmp.Or(d, fallback)
}

func (s *source) int(key string, fallback int) int {
	raw := s.str(key, "")
	if raw == "" {
		return fallback
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		s.errs = append(s.errs, fmt.Errorf("%s: %w", key, err))
	}
	return cmp.Or(n, fallback)
}

// Load reads path (if non-empty), applies environment overrides and fills
// defaults.
func Load(path string) (Config, error) {
	src := &source{file: map[string]string{}}
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return Config{}, err
		}
		if err := json.Unmarshal(b, &src.file); err != nil {
			return Config{}, fmt.Errorf("config %s: %w", path, err)
		}
	}
	var c Config
	c.Addr = src.str("addr", ":8080")
	c.Cloudflare.APIToken = cmp.Or(os.Getenv("CLOUDFLARE_API_TOKEN"), src.str("api_token", ""))
	c.Cloudflare.AccountID = cmp.Or(os.Getenv("CLOUDFLARE_ACCOUNT_ID"), src.str("account_id", ""))
	c.Cloudflare.CacheNamespace = src.str("kv_cache", "")
	c.Cloudflare.StateNamespace = src.str("kv_state", "")
	c.Cloudflare.MetricNamespace = src.str("kv_metrics", "")

	c.Cache.FeedTTL = src.dur("feed_ttl", 15*time.Minute)
	c.Cache.ShowTTL = src.dur("show_ttl", time.Hour)
	c.Cache.EmbedTTL = src.dur("embed_ttl", 30*time.Second)
	c.Cache.NegativeTTL = src.dur("negative_ttl", 2*time.Minute)

	c.Auth.SessionTTL = src.dur("session_ttl", 14*24*time.Hour)
	c.Auth.InviteTTL = src.dur("invite_ttl", 7*24*time.Hour)
	c.Auth.LoginWindow = src.dur("login_window", 15*time.Minute)
	c.Auth.LoginBudget = src.int("login_budget", 10)
	c.Auth.TokenPepper = src.str("token_pepper", "")

	c.Jobs.FlushInterval = src.dur("flush_interval", time.Minute)
	c.Jobs.CompactInterval = src.dur("compact_interval", time.Hour)
	c.Jobs.ReportInterval = src.dur("report_interval", 24*time.Hour)
	c.Jobs.ScanPageBudget = src.int("scan_page_budget", 50)
	c.Jobs.Workers = src.int("workers", 4)

	if len(src.errs) > 0 {
		return c, fmt.Errorf("config: %v", src.errs)
	}
	return c, nil
}
