// Package cfenv reads deployment settings from the environment and builds the
// Cloudflare API clients the adapters need.
package cfenv

import (
	"cmp"
	"errors"
	"os"
	"time"

	cfv2 "github.com/cloudflare/cloudflare-go/v2"
	optv2 "github.com/cloudflare/cloudflare-go/v2/option"
	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/option"
)

// Namespaces names the KV namespaces the platform uses.
type Namespaces struct {
	Civic       string // consultations, polls, petitions, citizens
	Sessions    string // sessions, sign-in links, device grants
	Pages       string // rendered pages and their locks
	Experiments string // layout experiments and assignments
	Moderation  string // flag queue and thread documents
	Archive     string // closed consultations kept for the record
}

// Config is the process configuration.
type Config struct {
	AccountID   string
	APIToken    string
	Namespaces  Namespaces
	Addr        string
	PageTTL     time.Duration
	SessionTTL  time.Duration
	LegacyToken string
}

// FromEnv loads Config. Unset TTLs stay zero and the packages apply their own
// defaults.
func FromEnv() (Config, error) {
	cfg := Config{
		AccountID: os.Getenv("CF_ACCOUNT_ID"),
		APIToken:  os.Getenv("CF_API_TOKEN"),
		Addr:      cmp.Or(os.Getenv("VIREO_ADDR"), ":8080"),
		Namespaces: Namespaces{
			Civic:       os.Getenv("VIREO_KV_CIVIC"),
			Sessions:    os.Getenv("VIREO_KV_SESSIONS"),
			Pages:       os.Getenv("VIREO_KV_PAGES"),
			Experiments: os.Getenv("VIREO_KV_EXPERIMENTS"),
			Moderation:  os.Getenv("VIREO_KV_MODERATION"),
			Archive:     os.Getenv("VIREO_KV_ARCHIVE"),
		},
		LegacyToken: cmp.Or(os.Getenv("CF_LEGACY_API_TOKEN"), os.Getenv("CF_API_TOKEN")),
	}
	var errs []error
	for name, dst := range map[string]*time.Duration{"VIREO_PAGE_TTL": &cfg.PageTTL, "VIREO_SESSION_TTL": &cfg.SessionTTL} {
		if v := os.Getenv(name); v != "" {
			d, err := time.ParseDuration(v)
			errs = append(errs, err)
			*dst = d
		}
	}
	if cfg.AccountID == "" || cfg.APIToken == "" {
		errs = append(errs, errors.New("CF_ACCOUNT_ID and CF_API_TOKEN are required"))
	}
	return cfg, errors.Join(errs...)
}

// Client builds the current API client.
func (c Config) Client() *cloudflare.Client {
	return cloudflare.NewClient(option.WithAPIToken(c.APIToken), option.WithMaxRetries(2))
}

// LegacyClient builds the client the archive and digest jobs were written
// against.
func (c Config) LegacyClient() *cfv2.Client {
	return cfv2.NewClient(optv2.WithAPIToken(c.LegacyToken))
}
