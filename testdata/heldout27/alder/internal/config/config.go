// Package config loads the service configuration from a JSON document and
// environment overrides. Accessors have value receivers so a Config can be
// copied freely into the components that need it.
package config

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"example.com/alder/internal/domain"
)

// Area configures how long one kind of record is kept.
type Area struct {
	TTLSeconds int `json:"ttl_seconds"`
}

// Config is the decoded configuration document.
type Config struct {
	Binding     string          `json:"kv_binding"`
	AccountID   string          `json:"account_id"`
	NamespaceID string          `json:"namespace_id"`
	APIToken    string          `json:"-"`
	Sites       []domain.SiteID `json:"sites"`
	TimeZone    string          `json:"time_zone"`

	Sessions    Area `json:"sessions"`
	Dashboard   Area `json:"dashboard"`
	Invitations Area `json:"invitations"`

	MaxGuestsPerMonth int    `json:"max_guests_per_month"`
	ListenAddr        string `json:"listen_addr"`
	WarehouseDriver   string `json:"warehouse_driver"`
	WarehouseDSN      string `json:"-"`
}

// LookupFunc resolves an environment variable; os.LookupEnv fits.
type LookupFunc func(key string) (string, bool)

// Load decodes r and then applies environment overrides from lookup.
func Load(r io.Reader, lookup LookupFunc) (Config, error) {
	var c Config
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil && err != io.EOF {
		return Config{}, fmt.Errorf("config: decode: %w", err)
	}
	if lookup == nil {
		lookup = os.LookupEnv
	}
	c.applyEnv(lookup)
	if c.Binding == "" && c.NamespaceID == "" {
		return Config{}, fmt.Errorf("config: neither kv_binding nor namespace_id is set")
	}
	return c, nil
}

func (c *Config) applyEnv(lookup LookupFunc) {
	if v, ok := lookup("ALDER_KV_BINDING"); ok && v != "" {
		c.Binding = v
	}
	if v, ok := lookup("CF_ACCOUNT_ID"); ok {
		c.AccountID = v
	}
	if v, ok := lookup("CF_KV_NAMESPACE_ID"); ok {
		c.NamespaceID = v
	}
	if v, ok := lookup("CF_API_TOKEN"); ok {
		c.APIToken = v
	}
	if v, ok := lookup("ALDER_WAREHOUSE_DSN"); ok {
		c.WarehouseDSN = v
	}
	c.Sessions.TTLSeconds = envSeconds(lookup, "ALDER_SESSION_TTL", c.Sessions.TTLSeconds)
	c.Dashboard.TTLSeconds = envSeconds(lookup, "ALDER_DASHBOARD_TTL", c.Dashboard.TTLSeconds)
	c.Invitations.TTLSeconds = envSeconds(lookup, "ALDER_INVITE_TTL", c.Invitations.TTLSeconds)
}

// envSeconds reads a positive integer of seconds, keeping fallback when the
// variable is unset or malformed.
func envSeconds(lookup LookupFunc, key string, fallback int) int {
	v, ok := lookup(key)
	if !ok {
		return fallback
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n <= 0 {
		return fallback
	}
	return n
}

// SessionTTL is the lifetime of a new member session.
func (c Config) SessionTTL() time.Duration {
	if c.Sessions.TTLSeconds <= 0 {
		return 12 * time.Hour
	}
	return time.Duration(c.Sessions.TTLSeconds) * time.Second
}

// DashboardTTL is how long a rendered occupancy board stays cached.
func (c Config) DashboardTTL() time.Duration {
	if c.Dashboard.TTLSeconds < 60 {
		return 5 * time.Minute
	}
	return time.Duration(c.Dashboard.TTLSeconds) * time.Second
}

// InvitationGrace is kept after a visit before the invitation record lapses.
func (c Config) InvitationGrace() time.Duration {
	return time.Duration(c.Invitations.TTLSeconds) * time.Second
}

// PresenceTTL is how long a check-in ping keeps a member on the live board.
// Door controllers ping every 30 seconds while a badge is in range.
func (c Config) PresenceTTL() time.Duration { return 45 * time.Second } // EXPECT kvttl

// Location returns the configured zone, UTC when unset or unknown.
func (c Config) Location() *time.Location {
	if c.TimeZone == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// GuestQuota is how many visitors a member may invite per month.
func (c Config) GuestQuota() int {
	if c.MaxGuestsPerMonth <= 0 {
		return 10
	}
	return c.MaxGuestsPerMonth
}
