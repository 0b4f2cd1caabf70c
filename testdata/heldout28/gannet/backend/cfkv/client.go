// Package cfkv adapts the Cloudflare API client to the storage ports used
// by the back-office services. Namespace IDs are resolved on every call,
// from the environment and tenant, so one code path serves every clinic.
package cfkv

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/option"
)

// ErrUnknownNamespace is returned when no namespace is configured for a
// logical name in the current environment.
var ErrUnknownNamespace = errors.New("cfkv: unknown namespace")

// Client holds the API client and the namespace directory.
type Client struct {
	api       *cloudflare.Client
	accountID string
	env       string
	spaces    map[string]string // "<env>/<tenant>/<name>", "<env>/<name>" or "<name>" -> namespace id
}

// Option configures a Client.
type Option func(*Client)

// WithNamespace registers the namespace id of a logical name. The name may
// be qualified with an environment and a tenant: "prod/acme/summaries".
func WithNamespace(name, id string) Option {
	return func(c *Client) { c.spaces[name] = id }
}

// WithEnvironment selects the environment used to resolve names.
func WithEnvironment(env string) Option {
	return func(c *Client) { c.env = env }
}

// WithAPI replaces the API client, for tests and custom transports.
func WithAPI(api *cloudflare.Client) Option {
	return func(c *Client) { c.api = api }
}

// New returns a Client for the account, authenticated with token.
func New(accountID, token string, opts ...Option) *Client {
	c := &Client{
		accountID: accountID,
		env:       "dev",
		spaces:    make(map[string]string),
	}
	for _, o := range opts {
		o(c)
	}
	if c.api == nil {
		c.api = cloudflare.NewClient(option.WithAPIToken(token), option.WithMaxRetries(3))
	}
	return c
}

// API exposes the underlying client to packages that need endpoints the
// ports do not cover.
func (c *Client) API() *cloudflare.Client { return c.api }

// AccountID returns the account the client writes to.
func (c *Client) AccountID() string { return c.accountID }

// NamespaceID resolves a logical name for a tenant. The most specific
// mapping wins.
func (c *Client) NamespaceID(tenant, name string) (string, error) {
	candidates := []string{c.env + "/" + name, name}
	if tenant != "" {
		candidates = append([]string{c.env + "/" + tenant + "/" + name}, candidates...)
	}
	for _, k := range candidates {
		if id, ok := c.spaces[k]; ok && id != "" {
			return id, nil
		}
	}
	return "", fmt.Errorf("%w: %s (env %s, tenant %q)", ErrUnknownNamespace, name, c.env, tenant)
}

// Resolver returns a function resolving name for the default tenant. It
// is handed to packages that call the API directly.
func (c *Client) Resolver(name string) func() (string, error) {
	return func() (string, error) { return c.NamespaceID("", name) }
}

// Space returns the port for a logical namespace of the default tenant.
func (c *Client) Space(name string) *Space { return &Space{c: c, name: name} }

// IsNotFound reports whether err is the API's 404 for a missing key.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}
