// Package edgekv wraps the generated Cloudflare v3 SDK for the namespaces
// that serve listener-facing traffic (feeds, sponsors). Callers address
// namespaces by logical name; the ID is looked up per environment on each
// call, so one binary can serve staging and production tenants.
package edgekv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
	"github.com/cloudflare/cloudflare-go/v3/option"
)

// Namespace is a logical namespace name such as "feeds".
type Namespace string

// ErrUnknownNamespace is returned when no ID is configured.
var ErrUnknownNamespace = errors.New("edgekv: unknown namespace")

// Client talks to KV through the v3 SDK.
type Client struct {
	cf        *cloudflare.Client
	accountID string
	env       string
	ids       map[string]map[Namespace]string // env -> logical -> namespace ID
}

// New returns a Client. ids maps each environment to its namespace IDs.
func New(cf *cloudflare.Client, accountID, env string, ids map[string]map[Namespace]string) *Client {
	return &Client{cf: cf, accountID: accountID, env: env, ids: ids}
}

func (c *Client) resolve(ns Namespace) (string, error) {
	id, ok := c.ids[c.env][ns]
	if !ok || id == "" {
		return "", fmt.Errorf("%w: %s in %s", ErrUnknownNamespace, ns, c.env)
	}
	return id, nil
}

// WriteOption adjusts a single write.
type WriteOption func(*writeConfig)

type writeConfig struct {
	ttl      time.Duration
	expireAt time.Time
	metadata string
}

// WithTTL expires the value ttl after the write.
func WithTTL(ttl time.Duration) WriteOption { return func(w *writeConfig) { w.ttl = ttl } }

// WithExpireAt expires the value at t.
func WithExpireAt(t time.Time) WriteOption { return func(w *writeConfig) { w.expireAt = t } }

// WithMetadata attaches v, JSON-encoded, as the key's metadata.
func WithMetadata(v any) WriteOption {
	return func(w *writeConfig) {
		b, err := json.Marshal(v)
		if err == nil {
			w.metadata = string(b)
		}
	}
}

// Write stores val under key.
func (c *Client) Write(ctx context.Context, ns Namespace, key string, val []byte, opts ...WriteOption) error {
	id, err := c.resolve(ns)
	if err != nil {
		return err
	}
	var cfg writeConfig
	for _, o := range opts {
		o(&cfg)
	}
	var reqOpts []option.RequestOption
	if cfg.ttl > 0 {
		reqOpts = append(reqOpts, option.WithQuery("expiration_ttl", strconv.FormatInt(int64(cfg.ttl/time.Second), 10)))
	}
	if !cfg.expireAt.IsZero() {
		reqOpts = append(reqOpts, option.WithQuery("expiration", strconv.FormatInt(cfg.expireAt.Unix(), 10)))
	}
	if cfg.metadata == "" {
		cfg.metadata = "{}"
	}
	_, err = c.cf.KV.Namespaces.Values.Update(ctx, id, url.PathEscape(key), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.accountID),
		Value:     cloudflare.F(string(val)),
		Metadata:  cloudflare.F(cfg.metadata),
	}, reqOpts...)
	if err != nil {
		return fmt.Errorf("edgekv: write %s/%q: %w", ns, key, err)
	}
	return nil
}

// Read returns the value under key. Errors, including the API's 404 for a
// missing key, are returned as they come from the SDK.
func (c *Client) Read(ctx context.Context, ns Namespace, key string) ([]byte, error) {
	id, err := c.resolve(ns)
	if err != nil {
		return nil, err
	}
	res, err := c.cf.KV.Namespaces.Values.Get(ctx, id, url.PathEscape(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(c.accountID),
	})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(io.LimitReader(res.Body, 25<<20))
}

// IsNotFound reports whether err is the API's 404.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Lookup is Read with a missing key reported as ok=false.
func (c *Client) Lookup(ctx context.Context, ns Namespace, key string) (val []byte, ok bool, err error) {
	val, err = c.Read(ctx, ns, key)
	switch {
	case IsNotFound(err):
		return nil, false, nil
	case err != nil:
		return nil, false, err
	}
	return val, true, nil
}

// Remove deletes key.
func (c *Client) Remove(ctx context.Context, ns Namespace, key string) error {
	id, err := c.resolve(ns)
	if err != nil {
		return err
	}
	_, err = c.cf.KV.Namespaces.Values.Delete(ctx, id, url.PathEscape(key), kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(c.accountID),
	})
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("edgekv: delete %s/%q: %w", ns, key, err)
	}
	return nil
}
