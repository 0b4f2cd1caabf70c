// Package cfclient builds the Cloudflare API clients used across quarry.
package cfclient

import (
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/option"

	"example.com/quarry/internal/config"
)

// New returns a v4 client authenticated with the configured API token.
func New(cfg *config.Config) *cloudflare.Client {
	return cloudflare.NewClient(
		option.WithAPIToken(cfg.APIToken),
		option.WithMaxRetries(3),
		option.WithHTTPClient(&http.Client{Timeout: 30 * time.Second}),
	)
}

// Namespace binds a client to one KV namespace of the account.
type Namespace struct {
	Client    *cloudflare.Client
	AccountID string
	ID        string
}

// For returns the Namespace for id.
func For(c *cloudflare.Client, cfg *config.Config, id string) Namespace {
	return Namespace{Client: c, AccountID: cfg.AccountID, ID: id}
}
