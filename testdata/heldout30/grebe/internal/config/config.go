// Package config loads the service configuration that ships inside the
// binary. Durations are written as strings in config.json and parsed once at
// start-up into a typed Config.
package config

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"time"
)

//go:embed config.json
var embedded []byte

// Site is one co-working location.
type Site struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Capacity int    `json:"capacity"`
}

// Config is the parsed, typed configuration.
type Config struct {
	SessionLifetime       time.Duration
	SessionIdle           time.Duration
	DoorCodeLifetime      time.Duration
	InviteLifetime        time.Duration
	MagicLinkLifetime     time.Duration
	AvailabilityCache     time.Duration
	AvailabilityJitter    time.Duration
	PrintReceiptRetention time.Duration

	MaxInvitesPerMonth int    `json:"max_invites_per_month"`
	LoginAttemptLimit  int    `json:"login_attempt_limit"`
	ListPageSize       int    `json:"list_page_size"`
	SweepMaxPages      int    `json:"sweep_max_pages"`
	UpstreamBaseURL    string `json:"upstream_base_url"`
	Sites              []Site `json:"sites"`
}

// Load parses the embedded configuration.
func Load() (Config, error) { return Parse(embedded) }

// Parse parses a configuration document. Every duration must be present.
func Parse(b []byte) (Config, error) {
	var c Config
	var raw struct {
		Durations map[string]string `json:"durations"`
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	for name, dst := range map[string]*time.Duration{
		"session_lifetime":        &c.SessionLifetime,
		"session_idle":            &c.SessionIdle,
		"door_code_lifetime":      &c.DoorCodeLifetime,
		"invite_lifetime":         &c.InviteLifetime,
		"magic_link_lifetime":     &c.MagicLinkLifetime,
		"availability_cache":      &c.AvailabilityCache,
		"availability_jitter":     &c.AvailabilityJitter,
		"print_receipt_retention": &c.PrintReceiptRetention,
	} {
		d, err := time.ParseDuration(raw.Durations[name])
		if err != nil {
			return Config{}, fmt.Errorf("config: %s: %w", name, err)
		}
		*dst = d
	}
	if c.ListPageSize <= 0 || c.ListPageSize > 1000 {
		c.ListPageSize = 1000
	}
	if c.SweepMaxPages <= 0 {
		c.SweepMaxPages = 10
	}
	return c, nil
}

// Site returns the site with the given ID.
func (c Config) Site(id string) (Site, bool) {
	for _, s := range c.Sites {
		if s.ID == id {
			return s, true
		}
	}
	return Site{}, false
}
