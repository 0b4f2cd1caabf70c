//go:build js && wasm

// Package catalog serves experiment definitions at the edge. Definitions
// live in the admin backend; the Worker keeps a read-through copy in the
// CACHE namespace.
package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/syumai/workers/cloudflare/fetch"

	"github.com/exptrack/redstart/internal/keys"
	"github.com/exptrack/redstart/internal/kvedge"
	"github.com/exptrack/redstart/internal/model"
	"github.com/exptrack/redstart/internal/pipeline"
)

// ErrNotFound is returned for an experiment the backend does not know.
var ErrNotFound = errors.New("catalog: not found")

// cacheTTLs is how long each kind of document stays in CACHE.
var cacheTTLs = map[string]time.Duration{
	"experiment": 5 * time.Minute,
	"tenant":     15 * time.Minute,
	"flags":      30 * time.Second, // EXPECT kvttl
}

// Catalog reads definitions through CACHE from the admin backend.
type Catalog struct {
	Cache  *kvedge.Store
	Origin string // base URL of the admin backend's internal API
	Token  string
	client *http.Client
}

// New returns a catalog that fills cache from origin.
func New(cache *kvedge.Store, origin, token string) *Catalog {
	return &Catalog{
		Cache:  cache,
		Origin: origin,
		Token:  token,
		client: fetch.NewClient().HTTPClient(fetch.RedirectModeError),
	}
}

// Experiment returns the published definition of an experiment.
func (c *Catalog) Experiment(ctx context.Context, tenant, id string) (*model.Experiment, error) {
	env := &pipeline.Envelope{Tenant: tenant, Key: keys.Experiment(tenant, id)}
	env.SetAttr("kind", "experiment")
	env.SetAttr("path", "/internal/tenants/"+url.PathEscape(tenant)+"/experiments/"+url.PathEscape(id))
	if err := pipeline.Run(ctx, env, c.fromCache, c.fromOrigin, c.fill); err != nil {
		return nil, err
	}
	var e model.Experiment
	if err := json.Unmarshal([]byte(env.Raw), &e); err != nil {
		return nil, fmt.Errorf("catalog: decode %s: %w", env.Key, err)
	}
	return &e, nil
}

// Flags returns a tenant's feature flags as published by the backend.
func (c *Catalog) Flags(ctx context.Context, tenant string) (map[string]bool, error) {
	env := &pipeline.Envelope{Tenant: tenant, Key: "flags:" + tenant}
	env.SetAttr("kind", "flags")
	env.SetAttr("path", "/internal/tenants/"+url.PathEscape(tenant)+"/flags")
	if err := pipeline.Run(ctx, env, c.fromCache, c.fromOrigin, c.fill); err != nil {
		return nil, err
	}
	flags := map[string]bool{}
	if err := json.Unmarshal([]byte(env.Raw), &flags); err != nil {
		return nil, fmt.Errorf("catalog: decode %s: %w", env.Key, err)
	}
	return flags, nil
}

func (c *Catalog) fromCache(ctx context.Context, env *pipeline.Envelope) error {
	raw, ok, err := c.Cache.GetCached(ctx, env.Key, time.Minute)
	if err != nil {
		return err
	}
	if ok {
		env.Raw, env.Found = raw, true
		return pipeline.ErrHalt
	}
	return nil
}

func (c *Catalog) fromOrigin(ctx context.Context, env *pipeline.Envelope) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.Origin+env.Attr("path"), nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	resp, err := c.client.Do(req)
	if err != nil {
		return fmt.Errorf("catalog: origin: %w", err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return ErrNotFound
	case resp.StatusCode != http.StatusOK:
		return fmt.Errorf("catalog: origin answered %s", resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	env.Raw = string(body)
	env.Value = env.Raw
	env.TTL = cacheTTLs[env.Attr("kind")]
	return nil
}

func (c *Catalog) fill(ctx context.Context, env *pipeline.Envelope) error {
	return c.Cache.Put(ctx, env.Key, env.Value, env.TTL)
}
