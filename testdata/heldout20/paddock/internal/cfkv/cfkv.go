// Package cfkv holds the shared Cloudflare API client and the KV namespace
// handles used by packages that talk to Workers KV directly.
package cfkv

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"

	cloudflare "github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/option"
)

// Namespace is a KV namespace within an account.
type Namespace struct {
	Client    *cloudflare.Client
	AccountID string
	ID        string
}

// Config names the account and namespaces paddock uses.
type Config struct {
	APIToken   string
	AccountID  string
	Namespaces map[string]string // logical name -> namespace ID
	BaseURL    string
	MaxRetries int
}

// FromEnv reads the configuration from PADDOCK_* variables.
func FromEnv() Config {
	return Config{
		APIToken:  os.Getenv("PADDOCK_CF_TOKEN"),
		AccountID: os.Getenv("PADDOCK_CF_ACCOUNT"),
		BaseURL:   os.Getenv("PADDOCK_CF_BASE_URL"),
		Namespaces: map[string]string{
			"core":        os.Getenv("PADDOCK_KV_CORE"),
			"matchmaking": os.Getenv("PADDOCK_KV_MATCHMAKING"),
			"auth":        os.Getenv("PADDOCK_KV_AUTH"),
			"boards":      os.Getenv("PADDOCK_KV_BOARDS"),
			"social":      os.Getenv("PADDOCK_KV_SOCIAL"),
		},
		MaxRetries: 2,
	}
}

// NewClient builds the API client.
func NewClient(cfg Config) *cloudflare.Client {
	opts := []option.RequestOption{
		option.WithAPIToken(cfg.APIToken),
		option.WithMaxRetries(cfg.MaxRetries),
	}
	if cfg.BaseURL != "" {
		opts = append(opts, option.WithBaseURL(cfg.BaseURL))
	}
	return cloudflare.NewClient(opts...)
}

// Open returns the namespace registered under name.
func Open(client *cloudflare.Client, cfg Config, name string) (Namespace, error) {
	id, ok := cfg.Namespaces[name]
	if !ok || id == "" {
		return Namespace{}, fmt.Errorf("cfkv: namespace %q is not configured", name)
	}
	return Namespace{Client: client, AccountID: cfg.AccountID, ID: id}, nil
}

// IsNotFound reports whether err is the API's 404 for a missing key.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// ReadBody drains and closes a value response.
func ReadBody(res *http.Response) ([]byte, error) {
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}
