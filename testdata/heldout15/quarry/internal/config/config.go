// Package config loads the service configuration. The embedded defaults.json
// is applied first; an optional override document is decoded on top of it and
// any field still unset is filled in by withDefaults.
package config

import (
	"cmp"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

//go:embed defaults.json
var defaultsJSON []byte

// Duration is a time.Duration that decodes from "90s"-style strings or from a
// bare number of seconds.
type Duration struct {
	time.Duration
}

// D is shorthand for building a Duration in code and tests.
func D(d time.Duration) Duration { return Duration{Duration: d} }

func (d *Duration) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if s == "" {
			d.Duration = 0
			return nil
		}
		v, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("config: duration %q: %w", s, err)
		}
		d.Duration = v
		return nil
	}
	var secs float64
	if err := json.Unmarshal(b, &secs); err != nil {
		return fmt.Errorf("config: duration %s: %w", b, err)
	}
	d.Duration = time.Duration(secs * float64(time.Second))
	return nil
}

func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(d.Duration.String())
}

type Namespaces struct {
	Main     string `json:"main"`
	Sessions string `json:"sessions"`
	Flags    string `json:"flags"`
}

// Keys holds the fmt formats used to build storage keys. Formats that take
// more than one argument use indexed verbs so the argument order at call
// sites stays stable when a layout changes.
type Keys struct {
	AccountLimits string `json:"accountLimits"`
	AccountUsage  string `json:"accountUsage"`
	AccountSlug   string `json:"accountSlug"`
	APIKeys       string `json:"apiKeys"`
	Cart          string `json:"cart"`
	Order         string `json:"order"`
	Views         string `json:"views"`
	Downloads     string `json:"downloads"`
	Leaderboard   string `json:"leaderboard"`
	Bucket        string `json:"bucket"`
	Report        string `json:"report"`
	ReportIndex   string `json:"reportIndex"`
	Lease         string `json:"lease"`
	Projection    string `json:"projection"`
	Events        string `json:"events"`
	OutboxSeq     string `json:"outboxSeq"`
	OutboxEvents  string `json:"outboxEvents"`
	RefreshToken  string `json:"refreshToken"`
	Revoked       string `json:"revoked"`
}

type Session struct {
	Cookie        string   `json:"cookie"`
	TTL           Duration `json:"ttl"`
	IdleTimeout   Duration `json:"idleTimeout"`
	CSRFTTL       Duration `json:"csrfTtl"`
	OAuthStateTTL Duration `json:"oauthStateTtl"`
	MagicLinkTTL  Duration `json:"magicLinkTtl"`
	RefreshTTL    Duration `json:"refreshTtl"`
}

type Cache struct {
	ReportTTL    Duration `json:"reportTtl"`
	LocalTTL     Duration `json:"localTtl"`
	RefreshAhead Duration `json:"refreshAhead"`
	NegativeTTL  Duration `json:"negativeTtl"`
}

type Quota struct {
	Window        Duration `json:"window"`
	Burst         float64  `json:"burst"`
	RatePerSecond float64  `json:"ratePerSecond"`
}

type Edge struct {
	IPLimit       int      `json:"ipLimit"`
	IPWindow      Duration `json:"ipWindow"`
	FlagsLocalTTL Duration `json:"flagsLocalTtl"`
}

type Admin struct {
	PageBudget           int `json:"pageBudget"`
	PageSize             int `json:"pageSize"`
	ProjectionPageBudget int `json:"projectionPageBudget"`
}

type Outbox struct {
	Batch    int      `json:"batch"`
	EventTTL Duration `json:"eventTtl"`
}

type Config struct {
	Namespaces Namespaces `json:"namespaces"`
	Keys       Keys       `json:"keys"`
	Session    Session    `json:"session"`
	Cache      Cache      `json:"cache"`
	Quota      Quota      `json:"quota"`
	Edge       Edge       `json:"edge"`
	Metrics    struct {
		ViewShards      int `json:"viewShards"`
		LeaderboardSize int `json:"leaderboardSize"`
	} `json:"metrics"`
	Lease struct {
		TTL Duration `json:"ttl"`
	} `json:"lease"`
	Outbox Outbox `json:"outbox"`
	Admin  Admin  `json:"admin"`
}

// withDefaults fills in anything the documents left at its zero value.
func (c Config) withDefaults() Config {
	for _, d := range []struct {
		p *Duration
		v time.Duration
	}{
		{&c.Session.TTL, 24 * time.Hour},
		{&c.Session.IdleTimeout, 30 * time.Minute},
		{&c.Session.CSRFTTL, 2 * time.Hour},
		{&c.Session.OAuthStateTTL, 10 * time.Minute},
		{&c.Session.MagicLinkTTL, 15 * time.Minute},
		{&c.Session.RefreshTTL, 30 * 24 * time.Hour},
		{&c.Cache.ReportTTL, 10 * time.Minute},
		{&c.Cache.LocalTTL, 20 * time.Second},
		{&c.Cache.NegativeTTL, 30 * time.Second},
		{&c.Quota.Window, time.Minute},
		{&c.Edge.IPWindow, 5 * time.Minute},
		{&c.Edge.FlagsLocalTTL, 15 * time.Second},
		{&c.Lease.TTL, 2 * time.Minute},
		{&c.Outbox.EventTTL, 72 * time.Hour},
	} {
		if d.p.Duration == 0 {
			d.p.Duration = d.v
		}
	}
	for _, n := range []struct {
		p *int
		v int
	}{
		{&c.Edge.IPLimit, 300}, {&c.Metrics.ViewShards, 8}, {&c.Metrics.LeaderboardSize, 50},
		{&c.Outbox.Batch, 50}, {&c.Admin.PageBudget, 20}, {&c.Admin.PageSize, 500}, {&c.Admin.ProjectionPageBudget, 10},
	} {
		if *n.p <= 0 {
			*n.p = n.v
		}
	}
	if c.Session.Cookie == "" {
		c.Session.Cookie = "qsid"
	}
	c.Quota.Burst = cmp.Or(c.Quota.Burst, 60)
	c.Quota.RatePerSecond = cmp.Or(c.Quota.RatePerSecond, 1)
	return c
}

// Validate reports key formats that would produce broken keys.
func (c Config) Validate() error {
	var errs []error
	for name, f := range map[string]string{"accountLimits": c.Keys.AccountLimits, "accountUsage": c.Keys.AccountUsage, "order": c.Keys.Order, "report": c.Keys.Report} {
		if !strings.Contains(f, "%") {
			errs = append(errs, fmt.Errorf("keys.%s: %q has no verb", name, f))
		}
	}
	if strings.Count(c.Keys.AccountUsage, "%") != 2 {
		errs = append(errs, fmt.Errorf("keys.accountUsage: want 2 verbs in %q", c.Keys.AccountUsage))
	}
	if c.Namespaces.Main == "" {
		errs = append(errs, errors.New("namespaces.main is empty"))
	}
	return errors.Join(errs...)
}

// Load decodes override (which may be empty) on top of the embedded defaults.
func Load(override []byte) (*Config, error) {
	var c Config
	if err := json.Unmarshal(defaultsJSON, &c); err != nil {
		return nil, fmt.Errorf("config: embedded defaults: %w", err)
	}
	if len(strings.TrimSpace(string(override))) > 0 {
		if err := json.Unmarshal(override, &c); err != nil {
			return nil, fmt.Errorf("config: override: %w", err)
		}
	}
	c = c.withDefaults()
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return &c, nil
}

// Default returns the embedded configuration. It panics if the embedded
// document is broken, which the tests guard against.
func Default() *Config {
	c, err := Load(nil)
	if err != nil {
		panic(err)
	}
	return c
}
