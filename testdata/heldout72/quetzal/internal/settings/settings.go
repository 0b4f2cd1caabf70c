// Package settings holds the configuration types shared by the backend
// commands: flag values and text-unmarshalled lifetimes and limits.
package settings

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Seconds is a lifetime in whole seconds. As a flag it accepts "90", "90s",
// "15m" or "2h".
type Seconds int

// String implements flag.Value.
func (s *Seconds) String() string {
	if s == nil {
		return "0"
	}
	return strconv.Itoa(int(*s))
}

// Set implements flag.Value.
func (s *Seconds) Set(v string) error {
	if n, err := strconv.Atoi(v); err == nil {
		*s = Seconds(n)
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return fmt.Errorf("invalid lifetime %q", v)
	}
	*s = Seconds(d / time.Second)
	return nil
}

// Duration converts the value to a time.Duration.
func (s Seconds) Duration() time.Duration { return time.Duration(s) * time.Second }

// Lifetime is a duration read from configuration text. Besides Go duration
// syntax it accepts a day suffix: "7d", "30d".
type Lifetime struct {
	time.Duration
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (l *Lifetime) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil {
			return fmt.Errorf("invalid lifetime %q", s)
		}
		l.Duration = time.Duration(n) * 24 * time.Hour
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("invalid lifetime %q: %w", s, err)
	}
	l.Duration = d
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (l Lifetime) MarshalText() ([]byte, error) { return []byte(l.Duration.String()), nil }

// PageSize is the number of keys asked for per list call. Set clamps it to
// what the REST API accepts.
type PageSize int

// String implements flag.Value.
func (p *PageSize) String() string {
	if p == nil {
		return "0"
	}
	return strconv.Itoa(int(*p))
}

// Set implements flag.Value.
func (p *PageSize) Set(v string) error {
	n, err := strconv.Atoi(v)
	if err != nil {
		return err
	}
	*p = PageSize(min(max(n, 10), 1000))
	return nil
}

// Config is the backend configuration file.
type Config struct {
	AccountID       string   `json:"account_id"`
	NamespaceID     string   `json:"namespace_id"`
	Listen          string   `json:"listen"`
	SessionLifetime Lifetime `json:"session_lifetime"`
	AuditRetention  Lifetime `json:"audit_retention"`
	EventRetention  Lifetime `json:"event_retention"`
	SnapshotTTL     Lifetime `json:"snapshot_ttl"`
	DedupeWindow    Lifetime `json:"dedupe_window"`
	FlushEvery      Lifetime `json:"flush_every"`
	DailyQuota      int      `json:"daily_quota"`
}

// Load reads a JSON configuration file and fills in defaults.
func Load(path string) (Config, error) {
	cfg := Config{
		Listen:          ":8080",
		SessionLifetime: Lifetime{12 * time.Hour},
		AuditRetention:  Lifetime{90 * 24 * time.Hour},
		EventRetention:  Lifetime{30 * 24 * time.Hour},
		SnapshotTTL:     Lifetime{6 * time.Hour},
		DedupeWindow:    Lifetime{30 * time.Minute},
		FlushEvery:      Lifetime{time.Minute},
		DailyQuota:      100000,
	}
	if path == "" {
		return cfg, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return cfg, err
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		return cfg, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}
