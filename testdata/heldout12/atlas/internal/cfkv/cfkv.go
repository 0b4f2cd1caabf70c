// Package cfkv builds the Cloudflare v3 API client and names the KV
// namespaces atlas writes to.
package cfkv

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/option"

	"example.com/atlas/internal/config"
)

// Namespace identifies one KV namespace in one account.
type Namespace struct {
	Client    *cloudflare.Client
	AccountID string
	ID        string
	Title     string
}

// Namespaces groups the namespaces atlas uses.
type Namespaces struct {
	Routing   Namespace
	Content   Namespace
	Sessions  Namespace
	Analytics Namespace
}

// ProvideClient constructs the API client from configuration.
func ProvideClient(cfg *config.Config) (*cloudflare.Client, error) {
	if cfg.Cloudflare.APIToken == "" {
		return nil, errors.New("cfkv: CF_API_TOKEN is not set")
	}
	opts := []option.RequestOption{
		option.WithAPIToken(cfg.Cloudflare.APIToken),
		option.WithMaxRetries(cfg.Cloudflare.MaxRetries),
		option.WithHTTPClient(&http.Client{Timeout: cfg.HTTP.WriteTimeout}),
	}
	if cfg.Cloudflare.BaseURL != "" {
		opts = append(opts, option.WithBaseURL(cfg.Cloudflare.BaseURL))
	}
	return cloudflare.NewClient(opts...), nil
}

// ProvideNamespaces resolves the configured namespace IDs.
func ProvideNamespaces(cfg *config.Config, c *cloudflare.Client) (Namespaces, error) {
	ids := cfg.Storage.Namespaces
	ns := Namespaces{
		Routing:   Namespace{Title: "routing", ID: ids.Routing},
		Content:   Namespace{Title: "content", ID: ids.Content},
		Sessions:  Namespace{Title: "sessions", ID: ids.Sessions},
		Analytics: Namespace{Title: "analytics", ID: ids.Analytics},
	}
	for _, n := range []*Namespace{&ns.Routing, &ns.Content, &ns.Sessions, &ns.Analytics} {
		if n.ID == "" {
			return Namespaces{}, fmt.Errorf("cfkv: namespace %q has no id", n.Title)
		}
		n.Client, n.AccountID = c, cfg.Cloudflare.AccountID
	}
	return ns, nil
}

// IsNotFound reports whether err is the API's answer for a missing key.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// IsRetryable reports whether err is worth another attempt.
func IsRetryable(err error) bool {
	var apiErr *cloudflare.Error
	if !errors.As(err, &apiErr) {
		return false
	}
	return apiErr.StatusCode == http.StatusTooManyRequests || apiErr.StatusCode >= 500
}
