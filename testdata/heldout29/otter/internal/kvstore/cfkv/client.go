// Package cfkv is the Workers KV adapter built on the cloudflare-go v0 REST
// client. It maps logical buckets to namespaces and implements the
// storage port.
package cfkv

import (
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"example.com/otter/internal/kvport"
)

// Config selects the account and the namespace of each bucket.
type Config struct {
	APIToken, AccountID string
	Namespaces          map[string]string
	DefaultNamespace    string
	Timeout             time.Duration
	Logger              *slog.Logger
}

// Client owns the REST client and the account resource container.
type Client struct {
	api      *cloudflare.API
	account  *cloudflare.ResourceContainer
	nsByName map[string]string
	fallback string
	log      *slog.Logger
}

var _ kvport.Opener = (*Client)(nil)

// New validates cfg and builds a client.
func New(cfg Config) (*Client, error) {
	if cfg.AccountID == "" || (cfg.DefaultNamespace == "" && len(cfg.Namespaces) == 0) {
		return nil, errors.New("cfkv: account id and at least one namespace are required")
	}
	api, err := cloudflare.NewWithAPIToken(cfg.APIToken,
		cloudflare.HTTPClient(&http.Client{Timeout: cmp.Or(cfg.Timeout, 10*time.Second)}),
		cloudflare.UsingRetryPolicy(3, 1, 8),
		cloudflare.UserAgent("otter/1 (+kv)"),
	)
	if err != nil {
		return nil, fmt.Errorf("cfkv: %w", err)
	}
	return &Client{api: api, account: cloudflare.AccountIdentifier(cfg.AccountID), nsByName: cfg.Namespaces,
		fallback: cfg.DefaultNamespace, log: cmp.Or(cfg.Logger, slog.Default()).With("component", "cfkv")}, nil
}

func (c *Client) namespaceFor(bucket string) string { return cmp.Or(c.nsByName[bucket], c.fallback) }

func (c *Client) Bucket(name string, opts ...kvport.BucketOption) *Bucket {
	return &Bucket{c: c, ns: c.namespaceFor(name), cfg: kvport.ResolveBucket(name, opts...)}
}

func (c *Client) Open(name string, opts ...kvport.BucketOption) kvport.Store {
	return c.Bucket(name, opts...)
}

func isNotFound(err error) bool {
	var nf *cloudflare.NotFoundError
	return errors.As(err, &nf)
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
