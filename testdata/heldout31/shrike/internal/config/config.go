// Package config holds the settings of the edge worker and the back-office
// service. Both read JSON documents; anything missing falls back to Default.
package config

import (
	"encoding/json"
	"fmt"
	"io"
	"time"
)

type Edge struct {
	// KV binding names.
	Bindings Bindings `json:"bindings"`

	// SessionIdle is how long a rider session lives after login.
	SessionIdle Duration `json:"session_idle"`
	// PresenceTTL is how long a kiosk stays "online" after its last heartbeat.
	PresenceTTL Duration `json:"presence_ttl"`
	// Heartbeat is how often an open kiosk stream refreshes its presence.
	Heartbeat Duration `json:"heartbeat"`

	// Limiter selects the rate limiter implementation: "kv" or "memory".
	Limiter      string   `json:"limiter"`
	UnlockPerMin int      `json:"unlock_per_min"`
	LimitWindow  Duration `json:"limit_window"`

	OAuth OAuth `json:"oauth"`
}

type Bindings struct {
	Sessions string `json:"sessions"`
	Riders   string `json:"riders"`
	Stations string `json:"stations"`
	Codes    string `json:"codes"`
	Cache    string `json:"cache"`
}

type OAuth struct {
	AuthorizeURL string `json:"authorize_url"`
	TokenURL     string `json:"token_url"`
	ClientID     string `json:"client_id"`
	RedirectURL  string `json:"redirect_url"`
	// MinSession is the shortest session we create regardless of what the
	// provider says its token is good for.
	MinSession Duration `json:"min_session"`
}

// DefaultEdge returns the settings used when no document overrides them.
func DefaultEdge() Edge {
	return Edge{
		Bindings: Bindings{
			Sessions: "SESSIONS",
			Riders:   "RIDERS",
			Stations: "STATIONS",
			Codes:    "CODES",
			Cache:    "CACHE",
		},
		SessionIdle:  Duration(12 * time.Hour),
		PresenceTTL:  Duration(45 * time.Second), // EXPECT kvttl
		Heartbeat:    Duration(20 * time.Second),
		Limiter:      "kv",
		UnlockPerMin: 5,
		LimitWindow:  Duration(time.Minute),
		OAuth: OAuth{
			AuthorizeURL: "https://id.ridecommons.example/oauth/authorize",
			TokenURL:     "https://id.ridecommons.example/oauth/token",
			MinSession:   Duration(15 * time.Minute),
		},
	}
}

type Backoffice struct {
	AccountID  string `json:"account_id"`
	APIToken   string `json:"api_token"`
	Listen     string `json:"listen"`
	Namespaces struct {
		Stations string `json:"stations"`
		Riders   string `json:"riders"`
		Sessions string `json:"sessions"`
		Ops      string `json:"ops"`
	} `json:"namespaces"`
	TicketSLA     Duration  `json:"ticket_sla"`
	MigrationPage int       `json:"migration_page"`
	Partners      []Partner `json:"partners"`
}

type Partner struct {
	Name         string `json:"name"`
	TokenURL     string `json:"token_url"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
}

func DefaultBackoffice() Backoffice {
	b := Backoffice{Listen: ":8088", TicketSLA: Duration(48 * time.Hour), MigrationPage: 500}
	b.Namespaces.Stations = "stations"
	b.Namespaces.Riders = "riders"
	b.Namespaces.Sessions = "sessions"
	b.Namespaces.Ops = "ops"
	return b
}

// Load decodes r over defaults, so a document only needs to list overrides.
func Load[T any](r io.Reader, defaults T) (T, error) {
	cfg := defaults
	if err := json.NewDecoder(r).Decode(&cfg); err != nil && err != io.EOF {
		return defaults, fmt.Errorf("config: %w", err)
	}
	return cfg, nil
}
