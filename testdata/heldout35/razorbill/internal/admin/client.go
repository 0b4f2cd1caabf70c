// Package admin is the back-office tool: it edits episodes, claims domains,
// sweeps statistics and imports catalogues through the Cloudflare REST API.
package admin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
	"github.com/cloudflare/cloudflare-go/v5/option"

	"razorbill/internal/config"
)

// Client talks to one KV namespace of one account.
type Client struct {
	cf      *cloudflare.Client
	account string
	ns      string
	cfg     config.Admin
}

// New returns a client for the namespace in cfg.
func New(cfg config.Admin) *Client {
	cf := cloudflare.NewClient(option.WithAPIToken(cfg.APIToken), option.WithMaxRetries(2))
	return &Client{cf: cf, account: cfg.AccountID, ns: cfg.NamespaceID, cfg: cfg}
}

func isNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// get returns the value under key.
func (c *Client) get(ctx context.Context, key string) ([]byte, error) {
	res, err := c.cf.KV.Namespaces.Values.Get(ctx, c.ns, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(c.account),
	})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// put stores value under key for ttl (zero: no expiry).
func (c *Client) put(ctx context.Context, key, value string, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.account),
		Value:     cloudflare.F(value),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	_, err := c.cf.KV.Namespaces.Values.Update(ctx, c.ns, key, params)
	if err != nil {
		return fmt.Errorf("admin: put %s: %w", key, err)
	}
	return nil
}

// del removes key.
func (c *Client) del(ctx context.Context, key string) error {
	_, err := c.cf.KV.Namespaces.Values.Delete(ctx, c.ns, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(c.account),
	})
	if err != nil && !isNotFound(err) {
		return err
	}
	return nil
}
