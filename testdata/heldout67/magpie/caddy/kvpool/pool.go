// Package kvpool shares one KV client per namespace between every Caddy
// module instance that names it, across config reloads.
package kvpool

import (
	"errors"
	"fmt"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"

	"github.com/magpie-media/magpie/internal/kvrest"
)

var pool = caddy.NewUsagePool()

// Config names a KV namespace. APIToken may hold placeholders such as
// {env.CF_API_TOKEN}.
type Config struct {
	AccountID   string `json:"account_id,omitempty"`
	NamespaceID string `json:"namespace_id,omitempty"`
	APIToken    string `json:"api_token,omitempty"`
}

func (c Config) key() string { return c.AccountID + "/" + c.NamespaceID }

// Validate checks that the namespace is fully named.
func (c Config) Validate() error {
	if c.AccountID == "" || c.NamespaceID == "" {
		return errors.New("kv namespace: account_id and namespace_id are required")
	}
	return nil
}

type shared struct{ ns *kvrest.Namespace }

func (shared) Destruct() error { return nil }

// Acquire returns the shared namespace for c, creating it on first use.
// Every Acquire must be paired with a Release in the module's Cleanup.
func Acquire(c Config) (*kvrest.Namespace, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	repl := caddy.NewReplacer()
	v, _, err := pool.LoadOrNew(c.key(), func() (caddy.Destructor, error) {
		token := repl.ReplaceAll(c.APIToken, "")
		if token == "" {
			return nil, fmt.Errorf("kv namespace %s: empty api token", c.NamespaceID)
		}
		return shared{ns: kvrest.Open(token, c.AccountID, c.NamespaceID)}, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(shared).ns, nil
}

// Release drops this user's reference to the namespace.
func Release(c Config) error {
	_, err := pool.Delete(c.key())
	return err
}

// UnmarshalCaddyfile parses a namespace block:
//
//	namespace <account_id> <namespace_id> {
//	    token {env.CF_API_TOKEN}
//	}
func (c *Config) UnmarshalCaddyfile(d *caddyfile.Dispenser) error {
	if !d.Args(&c.AccountID, &c.NamespaceID) {
		return d.ArgErr()
	}
	for nesting := d.Nesting(); d.NextBlock(nesting); {
		switch d.Val() {
		case "token":
			if !d.Args(&c.APIToken) {
				return d.ArgErr()
			}
		default:
			return d.Errf("unknown namespace option %q", d.Val())
		}
	}
	return nil
}
