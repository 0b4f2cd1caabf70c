// Package ops is the back-office side of the fleet service. It talks to
// Workers KV over the Cloudflare REST API: nightly exports, clean-up jobs
// and support tools.
package ops

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/option"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// Namespaces maps the service's logical namespaces to KV namespace IDs.
type Namespaces struct {
	Fleet   string
	Reports string
	Grid    string
}

// Client is a KV client scoped to one account.
type Client struct {
	api     *cloudflare.Client
	account string
	ns      Namespaces
	timeout time.Duration
}

// NewClient returns a client authenticated with token.
func NewClient(token, account string, ns Namespaces) *Client {
	return &Client{
		api:     cloudflare.NewClient(option.WithAPIToken(token)),
		account: account,
		ns:      ns,
		timeout: 30 * time.Second,
	}
}

// valueParams is the base of every single-key write; callers add an
// expiration or metadata before sending it.
func (c *Client) valueParams(val string) kv.NamespaceValueUpdateParams {
	return kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(val)),
	}
}

// listParams is the base of every key listing.
func (c *Client) listParams(prefix string) kv.NamespaceKeyListParams {
	return kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(c.account),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(1000.0),
	}
}

// getRaw reads one value. A missing key is reported as an error.
func (c *Client) getRaw(ctx context.Context, nsID, key string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	resp, err := c.api.KV.Namespaces.Values.Get(ctx, nsID, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(c.account)})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// put sends one prepared write.
func (c *Client) put(ctx context.Context, nsID, key string, p kv.NamespaceValueUpdateParams) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	if _, err := c.api.KV.Namespaces.Values.Update(ctx, nsID, key, p); err != nil {
		return fmt.Errorf("ops: put %s: %w", key, err)
	}
	return nil
}

// del removes one key.
func (c *Client) del(ctx context.Context, nsID, key string) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	_, err := c.api.KV.Namespaces.Values.Delete(ctx, nsID, key, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(c.account)})
	return err
}

func isNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}
