// Package config loads configuration from the environment, reloadably.
package config

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Seconds is a count of whole seconds, the unit KV uses for expirations.
type Seconds int64

// Duration converts s to a time.Duration.
func (s Seconds) Duration() time.Duration { return time.Duration(s) * time.Second }

// Config is immutable once stored; a reload swaps in a new value.
type Config struct {
	AccountID, APIToken string
	// Namespaces maps a tenant (publication) slug to its KV namespace ID.
	Namespaces                                     map[string]string
	DefaultNamespace                               string
	AuthNamespace                                  string
	LedgerDatabaseID                               string
	OAuthIssuer                                    string
	OAuthClientID                                  string
	ListenAddr                                     string
	SessionTTL, DraftTTL, PKCETTL, ArchiveCacheTTL time.Duration
	ConfirmTokenTTL, UnsubTokenTTL                 Seconds
	HoldSeconds, ArchivePageSize, SendBatchSize    int
}

// Defaults returns the configuration used when a variable is not set.
func Defaults() *Config {
	return &Config{
		Namespaces:      map[string]string{},
		ListenAddr:      ":8787",
		SessionTTL:      12 * time.Hour,
		DraftTTL:        30 * 24 * time.Hour,
		PKCETTL:         10 * time.Minute,
		ArchiveCacheTTL: 15 * time.Minute,
		ConfirmTokenTTL: 72 * 3600,
		UnsubTokenTTL:   180 * 24 * 3600,
		HoldSeconds:     1800,
		ArchivePageSize: 25,
		SendBatchSize:   500,
	}
}

var current atomic.Pointer[Config]

// Current returns the active configuration. It never returns nil.
func Current() *Config {
	if c := current.Load(); c != nil {
		return c
	}
	return Defaults()
}

// Store makes c the active configuration.
func Store(c *Config) { current.Store(c) }

// FromEnv builds a Config, reporting every malformed variable.
func FromEnv(getenv func(string) string) (*Config, error) {
	c := Defaults()
	var errs []error
	str := map[string]*string{
		"QUILL_CF_ACCOUNT_ID": &c.AccountID, "QUILL_CF_API_TOKEN": &c.APIToken,
		"QUILL_KV_NAMESPACE": &c.DefaultNamespace, "QUILL_KV_AUTH_NAMESPACE": &c.AuthNamespace,
		"QUILL_D1_LEDGER": &c.LedgerDatabaseID, "QUILL_LISTEN": &c.ListenAddr,
		"QUILL_OAUTH_ISSUER": &c.OAuthIssuer, "QUILL_OAUTH_CLIENT_ID": &c.OAuthClientID,
	}
	for name, dst := range str {
		if v := getenv(name); v != "" {
			*dst = v
		}
	}
	durations := map[string]*time.Duration{
		"QUILL_SESSION_TTL": &c.SessionTTL, "QUILL_DRAFT_TTL": &c.DraftTTL,
		"QUILL_PKCE_TTL": &c.PKCETTL, "QUILL_ARCHIVE_CACHE_TTL": &c.ArchiveCacheTTL,
	}
	for name, dst := range durations {
		if raw := getenv(name); raw != "" {
			v, err := time.ParseDuration(raw)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", name, err))
				continue
			}
			*dst = v
		}
	}
	ints := map[string]func(int64){
		"QUILL_CONFIRM_TOKEN_SECONDS": func(v int64) { c.ConfirmTokenTTL = Seconds(v) },
		"QUILL_UNSUB_TOKEN_SECONDS":   func(v int64) { c.UnsubTokenTTL = Seconds(v) },
		"QUILL_HOLD_SECONDS":          func(v int64) { c.HoldSeconds = int(v) },
		"QUILL_ARCHIVE_PAGE_SIZE":     func(v int64) { c.ArchivePageSize = int(v) },
		"QUILL_SEND_BATCH_SIZE":       func(v int64) { c.SendBatchSize = int(v) },
	}
	for name, set := range ints {
		if raw := getenv(name); raw != "" {
			v, err := strconv.ParseInt(raw, 10, 64)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", name, err))
				continue
			}
			set(v)
		}
	}
	// QUILL_TENANTS=weekly-dispatch:ns1,field-notes:ns2
	if raw := getenv("QUILL_TENANTS"); raw != "" {
		for _, pair := range strings.Split(raw, ",") {
			tenant, ns, ok := strings.Cut(strings.TrimSpace(pair), ":")
			if !ok || tenant == "" || ns == "" {
				errs = append(errs, fmt.Errorf("QUILL_TENANTS: bad entry %q", pair))
				continue
			}
			c.Namespaces[tenant] = ns
		}
	}
	if c.AccountID == "" || c.DefaultNamespace == "" {
		errs = append(errs, errors.New("QUILL_CF_ACCOUNT_ID and QUILL_KV_NAMESPACE are required"))
	}
	if c.AuthNamespace == "" {
		c.AuthNamespace = c.DefaultNamespace
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return c, nil
}

// Load reads the process environment.
func Load() (*Config, error) { return FromEnv(os.Getenv) }

// Watch reloads every interval; a failed reload keeps the previous value.
func Watch(ctx context.Context, interval time.Duration, load func() (*Config, error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			c, err := load()
			if err != nil {
				log.Printf("config: reload failed, keeping previous: %v", err)
				continue
			}
			Store(c)
		}
	}
}
