// Package config holds the hot-reloadable service configuration shared by the
// tracker and dispatch services.
package config

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"
)

// Seconds is a whole number of seconds as written in configuration files.
type Seconds int

// Duration converts s to a time.Duration.
func (s Seconds) Duration() time.Duration { return time.Duration(s) * time.Second }

// Duration accepts either a Go duration string ("90s", "2h") or a number of
// seconds in JSON.
type Duration struct{ time.Duration }

// UnmarshalJSON implements json.Unmarshaler.
func (d *Duration) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		v, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("config: duration %q: %w", s, err)
		}
		d.Duration = v
		return nil
	}
	n, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("config: duration %s: %w", b, err)
	}
	d.Duration = time.Duration(n * float64(time.Second))
	return nil
}

// MarshalJSON implements json.Marshaler.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// Features are switches flipped at run time without a deploy.
type Features struct {
	PublishPreview  bool `json:"publish_preview"`
	RecordViews     bool `json:"record_views"`
	SlidingSessions bool `json:"sliding_sessions"`
}

// Config is the full service configuration. A *Config is never mutated after
// it has been published with Store; reload builds a new one.
type Config struct {
	AccountID          string   `json:"account_id"`
	TrackingNamespace  string   `json:"tracking_namespace"`
	PartnerNamespace   string   `json:"partner_namespace"`
	SessionNamespace   string   `json:"session_namespace"`
	DispatchNamespace  string   `json:"dispatch_namespace"`
	TrackingPageTTL    Seconds  `json:"tracking_page_ttl"`
	StatusCacheTTL     Duration `json:"status_cache_ttl"`
	PartnerKeyTTL      Duration `json:"partner_key_ttl"`
	SessionTTL         Duration `json:"session_ttl"`
	MagicLinkTTL       Seconds  `json:"magic_link_ttl"`
	RateLimitPerMinute int      `json:"rate_limit_per_minute"`
	HoldTTL            Duration `json:"hold_ttl"`
	HoldGrace          Duration `json:"hold_grace"`
	DedupeWindow       Duration `json:"dedupe_window"`
	WebhookRetryWindow Duration `json:"webhook_retry_window"`
	ReconcilePageSize  int      `json:"reconcile_page_size"`
	ReconcileMaxPages  int      `json:"reconcile_max_pages"`
	KeyScheme          string   `json:"key_scheme"`
	Encoder            string   `json:"encoder"`
	ExpiryPolicy       string   `json:"expiry_policy"`
	Features           Features `json:"features"`
}

//go:embed defaults.json
var defaultsJSON []byte

var current atomic.Pointer[Config]

func init() {
	c, err := Defaults()
	if err != nil {
		panic(fmt.Sprintf("config: embedded defaults: %v", err))
	}
	current.Store(c)
}

// Defaults decodes the embedded defaults.json into a fresh Config.
func Defaults() (*Config, error) {
	var c Config
	if err := json.Unmarshal(defaultsJSON, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// Load returns the configuration in effect right now. Callers must load it
// once per request and not hold on to it.
func Load() *Config { return current.Load() }

// Store publishes c as the configuration in effect.
func Store(c *Config) { current.Store(c) }

// ReadFile decodes path over the embedded defaults.
func ReadFile(path string) (*Config, error) {
	c, err := Defaults()
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, c); err != nil {
		return nil, fmt.Errorf("config: %s: %w", path, err)
	}
	return c, nil
}

// WatchSIGHUP reloads path whenever the process receives SIGHUP.
func WatchSIGHUP(path string, logf func(format string, args ...any)) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGHUP)
	go func() {
		for range ch {
			c, err := ReadFile(path)
			if err != nil {
				logf("config reload failed: %v", err)
				continue
			}
			Store(c)
			logf("config reloaded from %s", path)
		}
	}()
}
