// Package cfapi constructs the Cloudflare API clients from configuration.
// Both SDK generations are in use: the v6 client for the service path and
// the v0 client for tooling that predates it.
package cfapi

import (
	"fmt"
	"net/http"
	"time"

	cfv0 "github.com/cloudflare/cloudflare-go"
	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/option"

	"example.com/flagship/internal/config"
)

// Clients bundles both SDK clients and the account they act on.
type Clients struct {
	V6      *cloudflare.Client
	Legacy  *cfv0.API
	Account *cfv0.ResourceContainer
	ID      string
}

// New builds both clients. timeout bounds each HTTP request.
func New(cfg *config.Config) (*Clients, error) {
	if cfg.APIToken == "" {
		return nil, fmt.Errorf("cfapi: CLOUDFLARE_API_TOKEN is not set")
	}
	timeout := cfg.RequestTimeout.Duration
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	hc := &http.Client{Timeout: timeout}
	v6 := cloudflare.NewClient(
		option.WithAPIToken(cfg.APIToken),
		option.WithHTTPClient(hc),
		option.WithMaxRetries(2),
	)
	legacy, err := cfv0.NewWithAPIToken(cfg.APIToken, cfv0.HTTPClient(hc))
	if err != nil {
		return nil, fmt.Errorf("cfapi: legacy client: %w", err)
	}
	return &Clients{V6: v6, Legacy: legacy, Account: cfv0.AccountIdentifier(cfg.AccountID), ID: cfg.AccountID}, nil
}
