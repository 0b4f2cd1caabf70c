// Package config loads estuary's configuration: the embedded defaults, then
// the operator's JSON file on top, then secrets from the environment.
package config

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"
)

//go:embed default.json
var defaultJSON []byte

// Duration is a time.Duration that reads either a Go duration string ("90s",
// "12h") or a bare number of seconds from JSON.
type Duration time.Duration

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
		*d = Duration(v)
		return nil
	}
	secs, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("config: duration %s: %w", b, err)
	}
	*d = Duration(secs * float64(time.Second))
	return nil
}

// Std returns d as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

// KeyFormats are fmt formats for keys that other services also read, so they
// are configuration rather than code.
type KeyFormats struct {
	Limits     string `json:"limits"`
	Usage      string `json:"usage"`
	Order      string `json:"order"`
	Profile    string `json:"profile"`
	LastIngest string `json:"lastIngest"`
	Views      string `json:"views"`
	Session    string `json:"session"`
	Refresh    string `json:"refresh"`
}

type Session struct {
	TTL        Duration `json:"ttl"`
	Idle       Duration `json:"idle"`
	RefreshTTL Duration `json:"refreshTTL"`
	Cookie     string   `json:"cookie"`
}

type Limits struct {
	Rate         float64 `json:"rate"`
	Burst        float64 `json:"burst"`
	EventsPerDay int     `json:"eventsPerDay"`
	PayloadBytes int     `json:"payloadBytes"`
}

// Config is the whole configuration.
type Config struct {
	Listen     string `json:"listen"`
	Cloudflare struct {
		AccountID  string `json:"accountID"`
		APIToken   string `json:"-"`
		Namespaces struct {
			Config, Sessions, Events, Counters, Cache string
		} `json:"namespaces"`
	} `json:"cloudflare"`
	// Legacy is the namespace the audit and invite code still write with
	// the v2 client.
	Legacy struct {
		AccountID   string   `json:"accountID"`
		NamespaceID string   `json:"namespaceID"`
		APIToken    string   `json:"-"`
		Retention   Duration `json:"retention"`
	} `json:"legacy"`
	Keys    KeyFormats `json:"keys"`
	Session Session    `json:"session"`
	Cache   struct {
		LocalTTL     Duration `json:"localTTL"`
		RemoteTTL    Duration `json:"remoteTTL"`
		RefreshAhead Duration `json:"refreshAhead"`
	} `json:"cache"`
	Outbox struct {
		Stream    string   `json:"stream"`
		Batch     int      `json:"batch"`
		PollEvery Duration `json:"pollEvery"`
		Retention Duration `json:"retention"`
	} `json:"outbox"`
	Lease struct {
		Hold Duration `json:"hold"`
	} `json:"lease"`
	Metrics struct {
		Shards int `json:"shards"`
	} `json:"metrics"`
	Limits Limits `json:"limits"`
	Maint  struct {
		PageBudget int `json:"pageBudget"`
		PageSize   int `json:"pageSize"`
	} `json:"maint"`
}

// withDefaults fills fields an operator file may have zeroed out. The
// embedded default.json covers a missing file; this covers a file that sets
// a section but leaves part of it out.
func (c Config) withDefaults() Config {
	setDur := func(d *Duration, v time.Duration) {
		if *d <= 0 {
			*d = Duration(v)
		}
	}
	setDur(&c.Session.TTL, 12*time.Hour)
	setDur(&c.Session.Idle, 30*time.Minute)
	setDur(&c.Session.RefreshTTL, 30*24*time.Hour)
	setDur(&c.Cache.LocalTTL, 15*time.Second)
	setDur(&c.Cache.RemoteTTL, 10*time.Minute)
	setDur(&c.Outbox.PollEvery, 2*time.Second)
	setDur(&c.Outbox.Retention, 7*24*time.Hour)
	setDur(&c.Lease.Hold, 5*time.Minute)
	setDur(&c.Legacy.Retention, 90*24*time.Hour)
	if c.Listen == "" {
		c.Listen = ":8080"
	}
	if c.Session.Cookie == "" {
		c.Session.Cookie = "estuary_sid"
	}
	if c.Outbox.Batch <= 0 {
		c.Outbox.Batch = 100
	}
	if c.Metrics.Shards <= 0 {
		c.Metrics.Shards = 8
	}
	if c.Maint.PageBudget <= 0 {
		c.Maint.PageBudget = 50
	}
	if c.Maint.PageSize <= 0 || c.Maint.PageSize > 1000 {
		c.Maint.PageSize = 1000
	}
	return c
}

var errMissing = errors.New("config: missing required setting")

// Load reads path over the embedded defaults; an empty path means defaults
// only. Secrets come from CLOUDFLARE_API_TOKEN and ESTUARY_LEGACY_TOKEN.
func Load(path string) (*Config, error) {
	var c Config
	if err := json.Unmarshal(defaultJSON, &c); err != nil {
		return nil, fmt.Errorf("config: embedded defaults: %w", err)
	}
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		if err := json.Unmarshal(b, &c); err != nil {
			return nil, fmt.Errorf("config: %s: %w", path, err)
		}
	}
	c.Cloudflare.APIToken = os.Getenv("CLOUDFLARE_API_TOKEN")
	if c.Legacy.APIToken = os.Getenv("ESTUARY_LEGACY_TOKEN"); c.Legacy.APIToken == "" {
		c.Legacy.APIToken = c.Cloudflare.APIToken
	}
	c = c.withDefaults()
	if c.Cloudflare.AccountID == "" || c.Cloudflare.Namespaces.Config == "" {
		return &c, fmt.Errorf("%w: cloudflare.accountID and cloudflare.namespaces", errMissing)
	}
	return &c, nil
}
