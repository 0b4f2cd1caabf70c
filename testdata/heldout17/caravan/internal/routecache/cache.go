// Package routecache caches computed routes in Workers KV in front of the
// routing engine, which is slow and billed per request.
package routecache

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/caravan/internal/keys"
	"example.com/caravan/internal/storage"
)

// Route is a computed route between two points.
type Route struct {
	Profile   string        `json:"profile"`
	Origin    string        `json:"origin"`
	Dest      string        `json:"dest"`
	Polyline  string        `json:"polyline"`
	DistanceM int           `json:"distance_m"`
	Duration  time.Duration `json:"duration"`
}

// Router is the routing engine.
type Router interface {
	Route(ctx context.Context, profile, origin, dest string) (Route, error)
	Traffic(ctx context.Context, region string) ([]byte, error)
}

// Cache reads and writes single routes straight through the API; bulk
// maintenance goes through the storage port.
type Cache struct {
	Client      *cloudflare.Client
	AccountID   string
	NamespaceID string
	TTL         time.Duration
	Router      Router
	Store       storage.Store
}

var errMiss = errors.New("routecache: miss")

func notFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

func (c *Cache) fetch(ctx context.Context, key string) ([]byte, error) {
	resp, err := c.Client.KV.Namespaces.Values.Get(ctx, c.NamespaceID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(c.AccountID),
	})
	if err != nil {
		return nil, fmt.Errorf("routecache: get %s: %w", key, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound { // EXPECT kvnull
		return nil, errMiss
	}
	return io.ReadAll(resp.Body)
}

func (c *Cache) write(ctx context.Context, key, value string, ttlSeconds float64) error {
	_, err := c.Client.KV.Namespaces.Values.Update(ctx, c.NamespaceID, key, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(c.AccountID),
		Value:         cloudflare.F(value),
		ExpirationTTL: cloudflare.F(ttlSeconds),
	})
	return err
}

// Lookup returns the route for the triple, computing and caching it on a miss.
func (c *Cache) Lookup(ctx context.Context, profile, origin, dest string) (Route, error) {
	key := keys.Route(profile, origin, dest)
	var r Route
	b, err := c.fetch(ctx, key)
	if err == nil && json.Unmarshal(b, &r) == nil {
		return r, nil
	}
	if err != nil && !errors.Is(err, errMiss) {
		return Route{}, err
	}
	if r, err = c.Router.Route(ctx, profile, origin, dest); err != nil {
		return Route{}, err
	}
	body, _ := json.Marshal(r)
	return r, c.write(ctx, key, string(body),
		float64(c.TTL), // EXPECT kvttl
	)
}

// Traffic returns the traffic overlay of region. The engine refreshes it
// every 20 seconds; the cache keeps it for at least a minute.
func (c *Cache) Traffic(ctx context.Context, region string) ([]byte, error) {
	if b, err := c.fetchOverlay(ctx, region); err == nil || !notFound(err) {
		return b, err
	}
	overlay, err := c.Router.Traffic(ctx, region)
	if err != nil {
		return nil, err
	}
	return overlay, c.writeFor(ctx, "traffic:"+region, overlay, 20*time.Second)
}

func (c *Cache) fetchOverlay(ctx context.Context, region string) ([]byte, error) {
	resp, err := c.Client.KV.Namespaces.Values.Get(ctx, c.NamespaceID, "traffic:"+region, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(c.AccountID),
	})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

func (c *Cache) writeFor(ctx context.Context, key string, body []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return c.write(ctx, key, string(body), ttl.Seconds())
}

// AppendStop adds an ad-hoc stop to the end of a run's stop list.
func (c *Cache) AppendStop(ctx context.Context, runID, stop string) ([]string, error) {
	key := "run-stops:" + runID
	current, err := c.fetch(ctx, key)
	if err != nil && !notFound(err) {
		return nil, err
	}
	next := stop
	if len(current) > 0 {
		next = string(current) + "|" + stop
	}
	_, err = c.Client.KV.Namespaces.Values.Update(ctx, c.NamespaceID, key, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID:     cloudflare.F(c.AccountID),
		Value:         cloudflare.F(next),
		ExpirationTTL: cloudflare.F((18 * time.Hour).Seconds()),
	})
	return strings.Split(next, "|"), err
}
