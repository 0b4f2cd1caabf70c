// Package depcache caches dependency resolutions (lockfile solving) so repeated
// builds of the same manifest skip the resolver.
package depcache

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/quarry/internal/cfclient"
	"example.com/quarry/internal/codec"
	"example.com/quarry/internal/kvstore"
	"example.com/quarry/internal/policy"
)

// Resolution is a solved dependency graph.
type Resolution struct {
	Manifest  string            `json:"manifest"`
	Ecosystem string            `json:"ecosystem"`
	Versions  map[string]string `json:"versions"`
	Checksums map[string][]byte `json:"checksums"`
	SolvedAt  time.Time         `json:"solved_at"`
}

// Resolver solves a manifest; it is slow and talks to package registries.
type Resolver interface {
	Resolve(ctx context.Context, ecosystem, manifest string) (Resolution, error)
}

// ResolveError is returned when the resolver could not solve a manifest.
type ResolveError struct {
	Manifest string
	Reason   string
}

func (e *ResolveError) Error() string { return "depcache: unresolvable: " + e.Reason }

// goTemplateManifest is the go.mod of the "new Go service" project template;
// every project created from the template starts with it.
const goTemplateManifest = `module example.com/service

go 1.22

require (
	github.com/go-chi/chi/v5 v5.0.12
	github.com/jackc/pgx/v5 v5.5.5
	github.com/prometheus/client_golang v1.19.0
	github.com/rs/zerolog v1.32.0
	github.com/spf13/cobra v1.8.0
	github.com/stretchr/testify v1.9.0
	go.opentelemetry.io/otel v1.24.0
	go.opentelemetry.io/otel/trace v1.24.0
	golang.org/x/sync v0.6.0
	google.golang.org/grpc v1.62.1
	google.golang.org/protobuf v1.33.0
)

require (
	github.com/beorn7/perks v1.0.1 // indirect
	github.com/cespare/xxhash/v2 v2.2.0 // indirect
	github.com/davecgh/go-spew v1.1.1 // indirect
	github.com/inconshreveable/mousetrap v1.1.0 // indirect
)
`

const indexKey = "res-index"

// Cache is the resolution cache.
type Cache struct {
	st       kvstore.Store
	ns       cfclient.Namespace
	resolver Resolver
	ttl      time.Duration
	log      *slog.Logger
}

// New returns a Cache in front of r.
func New(st kvstore.Store, ns cfclient.Namespace, r Resolver, ttl time.Duration, log *slog.Logger) *Cache {
	return &Cache{st: st, ns: ns, resolver: r, ttl: min(ttl, policy.Of("resolutions").TTL), log: log}
}

// cacheFor returns a read-through cache whose loader solves this manifest.
func (c *Cache) cacheFor(ecosystem, manifest string) *codec.Cached[Resolution] {
	load := func(ctx context.Context, _ string) (Resolution, error) {
		return c.resolver.Resolve(ctx, ecosystem, manifest)
	}
	return codec.NewCached[Resolution](c.st, policy.Of("resolutions").Prefix, c.ttl, load, c.log).
		WithCodec(codec.Gob[Resolution]{})
}

// ManifestKey is the cache key of a manifest.
func ManifestKey(ecosystem, manifest string) string {
	sum := sha256.Sum256([]byte(manifest))
	return ecosystem + ":" + hex.EncodeToString(sum[:16])
}

// Resolve returns the resolution of manifest, from cache when possible.
func (c *Cache) Resolve(ctx context.Context, ecosystem, manifest string) (Resolution, error) {
	key := ManifestKey(ecosystem, manifest)
	if _, err := c.st.Get(ctx, policy.Key("unresolved", key)); err == nil {
		return Resolution{}, &ResolveError{Manifest: key, Reason: "recently failed"}
	}
	res, err := c.cacheFor(ecosystem, manifest).Get(ctx, key)
	var rerr *ResolveError
	if errors.As(err, &rerr) {
		p := policy.Of("unresolved")
		_ = c.st.Put(ctx, p.Prefix+key, []byte(rerr.Reason), kvstore.PutOptions{TTL: p.TTL})
		return res, err
	}
	if err == nil {
		c.countHit(ctx, key)
	}
	return res, err
}

// WarmTemplate pre-solves the project template so the first build of every new
// project is fast.
func (c *Cache) WarmTemplate(ctx context.Context) error {
	_, err := c.cacheFor("go", goTemplateManifest).Get(ctx, "go:"+goTemplateManifest) // EXPECT kvlimits
	return err
}

// countHit bumps the per-manifest hit counter shown on the cache dashboard.
func (c *Cache) countHit(ctx context.Context, key string) {
	k := "res-hits:" + key
	var n uint64
	if raw, err := c.st.Get(ctx, k); err == nil && len(raw) == 8 {
		n = binary.BigEndian.Uint64(raw)
	}
	buf := binary.BigEndian.AppendUint64(nil, n+1)
	if err := c.st.Put(ctx, k, buf, kvstore.PutOptions{}); err != nil { // EXPECT kvcounter
		c.log.DebugContext(ctx, "hit counter not updated", "err", err)
	}
}

// Index lists the ecosystems offered in the dashboard filter; operators edit it
// from the admin page.
type Index struct {
	Ecosystems []string  `json:"ecosystems"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// EnsureIndex creates the index document on first start of a fresh namespace.
func (c *Cache) EnsureIndex(ctx context.Context) error {
	if _, err := c.st.Get(ctx, indexKey); err != nil { // EXPECT kvnull
		empty := Index{Ecosystems: []string{"go", "npm", "pypi", "cargo"}, UpdatedAt: time.Now().UTC()}
		return codec.Save(ctx, c.st, indexKey, empty, kvstore.PutOptions{})
	}
	return nil
}

// Recent returns a few cached resolution keys for the dashboard preview.
func (c *Cache) Recent(ctx context.Context) ([]string, error) {
	return kvstore.Scan(c.st).
		Prefix(policy.Of("resolutions").Prefix).
		PageSize(5). // EXPECT kvlimits
		Limit(5).
		Names(ctx)
}

// Pins are versions a project forces regardless of what the resolver picks.
type Pins map[string]string

// LoadPins reads the pin file uploaded with "quarry pin".
func (c *Cache) LoadPins(ctx context.Context, project string) (Pins, error) {
	resp, _ := c.ns.Client.KV.Namespaces.Values.Get(ctx, c.ns.ID, "pins:"+project, kv.NamespaceValueGetParams{ // EXPECT kvnull
		AccountID: cloudflare.F(c.ns.AccountID),
	})
	defer resp.Body.Close()
	var pins Pins
	if err := json.NewDecoder(resp.Body).Decode(&pins); err != nil {
		return nil, fmt.Errorf("depcache: pins for %s: %w", project, err)
	}
	return pins, nil
}
