// Package cfclient builds Cloudflare API clients from the environment.
package cfclient

import (
	"fmt"
	"os"

	cfv0 "github.com/cloudflare/cloudflare-go"
	cf4 "github.com/cloudflare/cloudflare-go/v4"
	opt4 "github.com/cloudflare/cloudflare-go/v4/option"
	cf6 "github.com/cloudflare/cloudflare-go/v6"
	opt6 "github.com/cloudflare/cloudflare-go/v6/option"

	"example.com/ops/internal/config"
)

// AccountID returns the Cloudflare account the tooling operates on.
func AccountID() (string, error) {
	id := os.Getenv(config.EnvAccountID)
	if id == "" {
		return "", fmt.Errorf("%s is not set", config.EnvAccountID)
	}
	return id, nil
}

func token() (string, error) {
	t := os.Getenv(config.EnvAPIToken)
	if t == "" {
		return "", fmt.Errorf("%s is not set", config.EnvAPIToken)
	}
	return t, nil
}

// Legacy returns the v0 REST client and the account resource container.
// The bulk import and migration tools still use it.
func Legacy() (*cfv0.API, *cfv0.ResourceContainer, error) {
	tok, err := token()
	if err != nil {
		return nil, nil, err
	}
	acct, err := AccountID()
	if err != nil {
		return nil, nil, err
	}
	api, err := cfv0.NewWithAPIToken(tok)
	if err != nil {
		return nil, nil, fmt.Errorf("cloudflare client: %w", err)
	}
	return api, cfv0.AccountIdentifier(acct), nil
}

// V6 returns the generated v6 client.
func V6() (*cf6.Client, error) {
	tok, err := token()
	if err != nil {
		return nil, err
	}
	return cf6.NewClient(opt6.WithAPIToken(tok)), nil
}

// V4 returns the generated v4 client. Billing and webhooks have not been
// moved to v6 yet.
func V4() (*cf4.Client, error) {
	tok, err := token()
	if err != nil {
		return nil, err
	}
	return cf4.NewClient(opt4.WithAPIToken(tok)), nil
}
