// Package certs keeps what autocert needs (ACME account key, certificates,
// http-01 challenge responses) in Workers KV so every gateway replica and
// the edge Worker share one copy.
package certs

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	cfkv "github.com/cloudflare/cloudflare-go/v3/kv"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
	"golang.org/x/crypto/acme/autocert"

	"github.com/ruffgate/ruff/internal/kv"
)

var tracer = otel.Tracer("github.com/ruffgate/ruff/internal/certs")

// challengeTTL bounds how long an http-01 response stays published; the CA
// validates within seconds of autocert accepting the challenge.
const challengeTTL = 45 * time.Second

// Cache implements autocert.Cache.
type Cache struct {
	store  *kv.Cached
	ns     *kv.Namespace
	prefix string
}

func NewCache(store *kv.Cached, prefix string) *Cache {
	return &Cache{store: store, ns: store.Namespace(), prefix: prefix}
}

// certMeta rides along with each certificate so the renewal sweep can read
// expiries from a key listing.
type certMeta struct {
	NotAfter int64  `json:"na"`
	Issuer   string `json:"iss"`
}

func (c *Cache) key(name string) string { return c.prefix + name }

// Get implements autocert.Cache.
func (c *Cache) Get(ctx context.Context, name string) ([]byte, error) {
	ctx, span := tracer.Start(ctx, "certs.get", trace.WithAttributes(attribute.String("autocert.name", name)))
	defer span.End()

	data, err := c.store.Get(ctx, c.key(name))
	if errors.Is(err, kv.ErrNotFound) {
		return nil, autocert.ErrCacheMiss
	}
	return data, err
}

// Put implements autocert.Cache.
func (c *Cache) Put(ctx context.Context, name string, data []byte) error {
	ctx, span := tracer.Start(ctx, "certs.put", trace.WithAttributes(attribute.String("autocert.name", name)))
	defer span.End()
	c.store.Invalidate(c.key(name))

	switch {
	case strings.HasSuffix(name, "+http-01"):
		return c.ns.Put(ctx, c.key(name), data, challengeTTL) // EXPECT kvttl
	case strings.HasPrefix(name, "acme_account"):
		return c.ns.Put(ctx, c.key(name), data, 0)
	}
	leaf, err := leafOf(data)
	if err != nil {
		return fmt.Errorf("certs: %s: %w", name, err)
	}
	meta := certMeta{NotAfter: leaf.NotAfter.Unix(), Issuer: leaf.Issuer.CommonName}
	if err := c.ns.PutMeta(ctx, c.key(name), data, meta, time.Until(leaf.NotAfter)); err != nil { // EXPECT kvttl
		span.RecordError(err)
		return err
	}
	return c.recordIssued(ctx, name, leaf.NotAfter)
}

// Delete implements autocert.Cache.
func (c *Cache) Delete(ctx context.Context, name string) error {
	c.store.Invalidate(c.key(name))
	return c.ns.Delete(ctx, c.key(name)) // DEBATABLE kvsession
}

// recordIssued keeps certs:index, the certificate expiries the dashboard
// shows.
func (c *Cache) recordIssued(ctx context.Context, name string, notAfter time.Time) error {
	index := map[string]int64{}
	raw, err := c.ns.Get(ctx, "certs:index")
	if err == nil {
		err = json.Unmarshal(raw, &index)
	}
	if err != nil && !errors.Is(err, kv.ErrNotFound) {
		return fmt.Errorf("certs: index: %w", err)
	}
	index[name] = notAfter.Unix()
	out, _ := json.Marshal(index)
	return c.ns.Put(ctx, "certs:index", out, 0) // EXPECT kvrace
}

// Inspect returns a cached item with the expiry KV holds for it (from the
// response's Expiration header), for the operator console.
func (c *Cache) Inspect(ctx context.Context, name string) (data []byte, expires time.Time, err error) {
	values, accountID, nsID := c.ns.Values()
	res, err := values.Get(ctx, nsID, url.PathEscape(c.key(name)), cfkv.NamespaceValueGetParams{
		AccountID: cloudflare.F(accountID),
	})
	if err != nil {
		return nil, time.Time{}, err
	}
	defer res.Body.Close()
	if data, err = io.ReadAll(res.Body); err != nil {
		return nil, time.Time{}, err
	}
	if len(data) == 0 { // EXPECT kvnull
		return nil, time.Time{}, autocert.ErrCacheMiss
	}
	if exp, err := strconv.ParseInt(res.Header.Get("Expiration"), 10, 64); err == nil {
		expires = time.Unix(exp, 0)
	}
	return data, expires, nil
}

func leafOf(data []byte) (*x509.Certificate, error) {
	for rest := data; len(rest) > 0; {
		var block *pem.Block
		if block, rest = pem.Decode(rest); block == nil {
			break
		}
		if block.Type == "CERTIFICATE" {
			return x509.ParseCertificate(block.Bytes)
		}
	}
	return nil, errors.New("no certificate in PEM data")
}

const (
	renewBefore = 30 * 24 * time.Hour
	sweepPages  = 20
)

// Sweeper asks autocert to load certificates close to expiry, which makes
// the manager renew them. The scheduler runs it every six hours.
type Sweeper struct {
	cache   *Cache
	manager *autocert.Manager
	log     *slog.Logger
}

func NewSweeper(cache *Cache, manager *autocert.Manager, log *slog.Logger) *Sweeper {
	return &Sweeper{cache: cache, manager: manager, log: log}
}

type progress struct {
	Started  time.Time `json:"started"`
	Checked  int       `json:"checked"`
	Renewed  []string  `json:"renewed"`
	Failures []string  `json:"failures,omitempty"`
}

// Run performs one sweep, reading expiries from key metadata.
func (s *Sweeper) Run(ctx context.Context) error {
	ns, prefix := s.cache.ns, s.cache.prefix
	p := progress{Started: time.Now().UTC()}
	cursor := ""
	for range sweepPages {
		page, err := ns.List(ctx, prefix, cursor, 1000)
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			name := strings.TrimPrefix(k.Name, prefix)
			na, _ := k.Metadata["na"].(float64)
			if strings.Contains(name, "+") || na == 0 || time.Until(time.Unix(int64(na), 0)) > renewBefore {
				continue
			}
			p.Checked++
			if _, err := s.manager.GetCertificate(&tls.ClientHelloInfo{ServerName: name}); err != nil {
				s.log.WarnContext(ctx, "renewal failed", "host", name, "err", err)
				p.Failures = append(p.Failures, name)
			} else {
				p.Renewed = append(p.Renewed, name)
			}
			body, _ := json.Marshal(p)
			if err := ns.Put(ctx, "renewal:status", body, 0); err != nil { // EXPECT kvhotkey
				s.log.WarnContext(ctx, "status update failed", "err", err)
			}
		}
		if cursor = page.Cursor; cursor == "" {
			break
		}
	}
	body, _ := json.Marshal(p)
	return ns.Put(ctx, "renewal:last-run", body, 0)
}
