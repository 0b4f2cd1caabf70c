// Package tlsedge terminates TLS for shops' custom domains. Certificates are
// obtained on demand by certmagic and kept in KV through certstore.
package tlsedge

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/caddyserver/certmagic"

	"bullfinch/internal/certstore"
	"bullfinch/internal/domains"
	"bullfinch/internal/kv"
)

// Config is read from the environment at start-up.
type Config struct {
	Email     string
	CA        string
	LockTTL   time.Duration
	Hostname  string
	DecideTTL time.Duration
}

// ConfigFromEnv reads the terminator's settings.
func ConfigFromEnv() Config {
	c := Config{
		Email:     os.Getenv("ACME_EMAIL"),
		CA:        cmpOr(os.Getenv("ACME_CA"), certmagic.LetsEncryptProductionCA),
		Hostname:  cmpOr(os.Getenv("HOSTNAME"), "edge-local"),
		DecideTTL: 10 * time.Minute,
	}
	if v := os.Getenv("CERT_LOCK_TTL"); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			c.LockTTL = d
		}
	}
	return c
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Terminator owns the certmagic configuration for the edge fleet.
type Terminator struct {
	magic   *certmagic.Config
	certs   *kv.Namespace
	domains *domains.Registry
	log     *slog.Logger
}

// New builds the certmagic config on top of KV storage.
func New(cfg Config, certs *kv.Namespace, reg *domains.Registry, log *slog.Logger) *Terminator {
	t := &Terminator{certs: certs, domains: reg, log: log}
	storage := certstore.New(certs, cfg.Hostname, cfg.LockTTL) // DEBATABLE kvttl
	var magic *certmagic.Config
	cache := certmagic.NewCache(certmagic.CacheOptions{
		GetConfigForCert: func(certmagic.Certificate) (*certmagic.Config, error) { return magic, nil },
	})
	magic = certmagic.New(cache, certmagic.Config{
		Storage: storage,
		OnDemand: &certmagic.OnDemandConfig{
			DecisionFunc: t.allowHost,
		},
		OnEvent: t.onEvent,
	})
	issuer := certmagic.NewACMEIssuer(magic, certmagic.ACMEIssuer{
		CA:     cfg.CA,
		Email:  cfg.Email,
		Agreed: true,
	})
	magic.Issuers = []certmagic.Issuer{issuer}
	t.magic = magic
	return t
}

// TLSConfig returns the tls.Config to serve with.
func (t *Terminator) TLSConfig() *tls.Config {
	tc := t.magic.TLSConfig()
	tc.NextProtos = append([]string{"h2", "http/1.1"}, tc.NextProtos...)
	return tc
}

// allowHost is certmagic's on-demand decision: only hosts that a shop has
// claimed and verified get a certificate.
func (t *Terminator) allowHost(ctx context.Context, name string) error {
	d, err := t.domains.Lookup(ctx, strings.ToLower(name))
	if err != nil {
		return fmt.Errorf("on-demand %s: %w", name, err)
	}
	if !d.Verified {
		return errors.New("domain not verified")
	}
	return nil
}

// onEvent records certificate lifecycle events from certmagic.
func (t *Terminator) onEvent(ctx context.Context, event string, data map[string]any) error {
	switch event {
	case "cert_obtained":
		name, _ := data["identifier"].(string)
		t.log.Info("certificate obtained", "host", name)
		day := time.Now().UTC().Format("2006-01-02")
		return t.countIssuance(ctx, "issuance-count:"+day)
	case "cert_failed":
		name, _ := data["identifier"].(string)
		b, _ := json.Marshal(map[string]any{"host": name, "at": time.Now().UTC(), "renewal": data["renewal"]})
		return t.certs.PutTTL(ctx, "cert-failure:"+name, b, 72*time.Hour)
	}
	return nil
}

// countIssuance keeps a per-day issuance total that the dashboard compares
// with the CA's weekly limit.
func (t *Terminator) countIssuance(ctx context.Context, key string) error {
	n := 0
	raw, err := t.certs.Get(ctx, key)
	switch {
	case err == nil:
		n, _ = strconv.Atoi(string(raw))
	case !errors.Is(err, kv.ErrNotFound):
		return err
	}
	return t.certs.PutTTL(ctx, key, []byte(strconv.Itoa(n+1)), 8*24*time.Hour) // EXPECT kvcounter|kvrace
}

// Prewarm obtains certificates for the given hosts ahead of traffic.
func (t *Terminator) Prewarm(ctx context.Context, hosts []string) error {
	return t.magic.ManageAsync(ctx, hosts)
}
