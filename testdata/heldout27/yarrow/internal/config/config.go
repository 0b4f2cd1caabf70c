// Package config loads the edge and backend configuration.
//
// The edge reads a JSON document from the YARROW_CONFIG variable of the
// Worker; individual values can be overridden with environment variables,
// which is how the staging and load-test environments tweak expirations
// without a new deploy.
package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"
)

// Expiry is a relative expiration in the JSON document.
type Expiry struct {
	TTLSeconds int `json:"ttl_seconds"`
}

// Duration converts the configured seconds to a time.Duration.
func (e Expiry) Duration() time.Duration { return time.Duration(e.TTLSeconds) * time.Second }

// Bindings names the KV namespaces bound to the Worker.
type Bindings struct {
	Menus    string `json:"menus"`
	Carts    string `json:"carts"`
	Sessions string `json:"sessions"`
	Promos   string `json:"promos"`
	Tracking string `json:"tracking"`
	Kitchen  string `json:"kitchen"`
	Couriers string `json:"couriers"`
	Settings string `json:"settings"`
}

// Config is the edge configuration.
type Config struct {
	Bindings   Bindings `json:"bindings"`
	Menus      Expiry   `json:"menus"`
	Sessions   Expiry   `json:"sessions"`
	LoginLinks Expiry   `json:"login_links"`
	Carts      Expiry   `json:"carts"`
	Tracking   Expiry   `json:"tracking"`

	// RequestsPerMinute is the per-client budget enforced by the API.
	RequestsPerMinute int `json:"requests_per_minute"`
	// MaxLinkRequests caps login links sent to one address per window.
	MaxLinkRequests int `json:"max_link_requests"`
	// PublicBaseURL is used to build login links.
	PublicBaseURL string `json:"public_base_url"`
}

// SessionTTL is how long an idle session stays valid.
func (c Config) SessionTTL() time.Duration { return c.Sessions.Duration() }

// LoginLinkTTL is how long an e-mailed login link can be used.
func (c Config) LoginLinkTTL() time.Duration { return c.LoginLinks.Duration() }

// MenuTTL is how long an edge copy of a menu is kept.
func (c Config) MenuTTL() time.Duration { return c.Menus.Duration() }

// CartTTL is how long an untouched cart is kept.
func (c Config) CartTTL() time.Duration { return c.Carts.Duration() }

// TrackingTTL is how long an order timeline stays readable after the last update.
func (c Config) TrackingTTL() time.Duration { return c.Tracking.Duration() }

// Decode reads the JSON document and applies environment overrides.
func Decode(r io.Reader) (Config, error) {
	var c Config
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		return Config{}, fmt.Errorf("config: decode: %w", err)
	}
	c.Menus.TTLSeconds = envSeconds("YARROW_MENU_TTL", orInt(c.Menus.TTLSeconds, 900))
	c.Sessions.TTLSeconds = envSeconds("YARROW_SESSION_TTL", orInt(c.Sessions.TTLSeconds, 7*24*3600))
	c.LoginLinks.TTLSeconds = envSeconds("YARROW_LOGIN_LINK_TTL", orInt(c.LoginLinks.TTLSeconds, 900))
	c.Carts.TTLSeconds = envSeconds("YARROW_CART_TTL", orInt(c.Carts.TTLSeconds, 3*24*3600))
	c.Tracking.TTLSeconds = envSeconds("YARROW_TRACKING_TTL", orInt(c.Tracking.TTLSeconds, 6*3600))
	if c.RequestsPerMinute == 0 {
		c.RequestsPerMinute = 120
	}
	if c.MaxLinkRequests == 0 {
		c.MaxLinkRequests = 5
	}
	if c.Bindings.Menus == "" || c.Bindings.Sessions == "" {
		return c, errors.New("config: bindings.menus and bindings.sessions are required")
	}
	return c, nil
}

// Backend is the configuration of the backend service.
type Backend struct {
	AccountID         string
	APIToken          string
	CatalogNamespace  string
	OpsNamespace      string
	TokenTTL          time.Duration
	RevocationSeconds int
}

// LoadBackend reads the backend configuration from the process environment.
func LoadBackend() (Backend, error) {
	b := Backend{
		AccountID:         os.Getenv("CF_ACCOUNT_ID"),
		APIToken:          os.Getenv("CF_API_TOKEN"),
		CatalogNamespace:  os.Getenv("YARROW_CATALOG_NS"),
		OpsNamespace:      os.Getenv("YARROW_OPS_NS"),
		TokenTTL:          time.Duration(envSeconds("YARROW_COURIER_TOKEN_TTL", 12*3600)) * time.Second,
		RevocationSeconds: envSeconds("YARROW_REVOCATION_TTL", 30*24*3600),
	}
	if b.AccountID == "" || b.APIToken == "" {
		return Backend{}, errors.New("config: CF_ACCOUNT_ID and CF_API_TOKEN are required")
	}
	return b, nil
}

func envSeconds(name string, fallback int) int {
	raw, ok := os.LookupEnv(name)
	if !ok {
		return fallback
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n <= 0 {
		return fallback
	}
	return n
}

func orInt(v, fallback int) int {
	if v != 0 {
		return v
	}
	return fallback
}
