// Package config loads the backend settings from FLEET_* environment
// variables once at startup.
package config

import (
	"fmt"
	"time"

	"github.com/kelseyhightower/envconfig"
)

// Cloudflare identifies the account and the KV namespaces the backend talks to.
type Cloudflare struct {
	AccountID  string `envconfig:"CF_ACCOUNT_ID" required:"true"`
	APIToken   string `envconfig:"CF_API_TOKEN" required:"true"`
	FleetNS    string `envconfig:"KV_FLEET_NAMESPACE" required:"true"`
	SessionsNS string `envconfig:"KV_SESSIONS_NAMESPACE" required:"true"`
}

// API holds the settings of cmd/fleetapi.
type API struct {
	Cloudflare
	ListenAddr       string        `envconfig:"LISTEN_ADDR" default:":8080"`
	PublicURL        string        `envconfig:"PUBLIC_URL" default:"https://api.fleetgrid.io"`
	ProvisionCodeTTL time.Duration `envconfig:"PROVISION_CODE_TTL" default:"72h"`
	OAuthStateTTL    time.Duration `envconfig:"OAUTH_STATE_TTL" default:"10m"`
	InstallBadgeTTL  time.Duration `envconfig:"INSTALL_BADGE_TTL" default:"45s"` // DEBATABLE kvttl
	UsageFlushAfter  time.Duration `envconfig:"USAGE_FLUSH_AFTER" default:"5m"`
	MaxTagsPerDevice int           `envconfig:"MAX_TAGS_PER_DEVICE" default:"20"`
	Provider         Provider      `envconfig:"PROVIDER"`
}

// Provider is the third-party telematics platform tenants can connect.
type Provider struct {
	ClientID     string `envconfig:"CLIENT_ID"`
	ClientSecret string `envconfig:"CLIENT_SECRET"`
	AuthorizeURL string `envconfig:"AUTHORIZE_URL" default:"https://provider.example.com/oauth/authorize"`
	TokenURL     string `envconfig:"TOKEN_URL" default:"https://provider.example.com/oauth/token"`
}

// LoadAPI reads the API settings.
func LoadAPI() (API, error) {
	var c API
	if err := envconfig.Process("FLEET", &c); err != nil {
		return API{}, fmt.Errorf("config: %w", err)
	}
	return c, nil
}
