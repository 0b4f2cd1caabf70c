// Package cfclient builds the Cloudflare API client and carries the account
// and namespace identifiers that every Workers KV call needs.
package cfclient

import (
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/cloudflare/cloudflare-go/v4/option"
)

// Namespace bundles the KV service with the identifiers of one namespace.
type Namespace struct {
	KV        *kv.NamespaceService
	AccountID string
	ID        string
}

// Account returns the account identifier as the SDK's param field.
func (n Namespace) Account() kv.NamespaceValueGetParams {
	return kv.NamespaceValueGetParams{AccountID: cloudflare.F(n.AccountID)}
}

// Client owns one SDK client shared by every namespace handle.
type Client struct {
	api       *cloudflare.Client
	accountID string
}

// New creates a client authenticated with an API token.
func New(token, accountID string, timeout time.Duration) *Client {
	api := cloudflare.NewClient(
		option.WithAPIToken(token),
		option.WithMaxRetries(2),
		option.WithRequestTimeout(timeout),
	)
	return &Client{api: api, accountID: accountID}
}

// API exposes the underlying SDK client.
func (c *Client) API() *cloudflare.Client { return c.api }

// Namespace returns a handle for the namespace with the given identifier.
func (c *Client) Namespace(id string) Namespace {
	return Namespace{KV: c.api.KV.Namespaces, AccountID: c.accountID, ID: id}
}

// IsNotFound reports whether err is the API's 404 for a missing key.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// ReadBody drains and closes a value response.
func ReadBody(res *http.Response) ([]byte, error) {
	defer res.Body.Close()
	return io.ReadAll(io.LimitReader(res.Body, 32<<20))
}
