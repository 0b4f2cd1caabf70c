// Package config loads Juniper's runtime configuration from the environment.
//
// Everything the services need is resolved here once at start-up; packages
// further down receive plain values (durations, IDs, strings) and never read
// the environment themselves.
package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Config is the full service configuration. The nested anonymous structs
// mirror the JUNIPER_<SECTION>_<NAME> environment layout.
type Config struct {
	Addr string

	Cloudflare struct {
		APIToken   string
		AccountID  string
		Namespaces struct {
			Sessions string // sessions, reset links, pairing codes
			Flags    string // feature flags and experiment assignments
			Cache    string // availability and menu projections
			Venues   string // venue settings, slugs, waitlists
			Legacy   string // widget namespace still driven by the v0 SDK
		}
	}

	Store struct {
		Backend string // "cloudflare" or "memory"
		Breaker struct {
			Failures int
			Cooldown time.Duration
		}
	}

	TTL struct {
		Session      time.Duration
		Availability time.Duration
		Menu         time.Duration
		Hold         time.Duration
		ResetLink    time.Duration
	}

	RateLimit struct {
		Window time.Duration
		Max    int
	}

	Experiments []string
}

// Load builds a Config from getenv (normally os.Getenv).
func Load(getenv func(string) string) (*Config, error) {
	l := loader{getenv: getenv}
	var c Config

	c.Addr = l.str("JUNIPER_ADDR", ":8080")

	c.Cloudflare.APIToken = l.str("JUNIPER_CF_API_TOKEN", "")
	c.Cloudflare.AccountID = l.str("JUNIPER_CF_ACCOUNT_ID", "")
	c.Cloudflare.Namespaces.Sessions = l.str("JUNIPER_KV_SESSIONS", "")
	c.Cloudflare.Namespaces.Flags = l.str("JUNIPER_KV_FLAGS", "")
	c.Cloudflare.Namespaces.Cache = l.str("JUNIPER_KV_CACHE", "")
	c.Cloudflare.Namespaces.Venues = l.str("JUNIPER_KV_VENUES", "")
	c.Cloudflare.Namespaces.Legacy = l.str("JUNIPER_KV_LEGACY", "")

	c.Store.Backend = strings.ToLower(l.str("JUNIPER_STORE_BACKEND", "cloudflare"))
	c.Store.Breaker.Failures = l.int("JUNIPER_STORE_BREAKER_FAILURES", 5)
	c.Store.Breaker.Cooldown = l.dur("JUNIPER_STORE_BREAKER_COOLDOWN", 15*time.Second)

	c.TTL.Session = l.dur("JUNIPER_TTL_SESSION", 12*time.Hour)
	c.TTL.Availability = l.dur("JUNIPER_TTL_AVAILABILITY", 5*time.Minute)
	c.TTL.Menu = l.dur("JUNIPER_TTL_MENU", 6*time.Hour)
	c.TTL.Hold = l.dur("JUNIPER_TTL_HOLD", 7*time.Minute)
	c.TTL.ResetLink = l.dur("JUNIPER_TTL_RESET_LINK", 30*time.Minute)

	c.RateLimit.Window = l.dur("JUNIPER_RATE_WINDOW", time.Minute)
	c.RateLimit.Max = l.int("JUNIPER_RATE_MAX", 600)

	c.Experiments = l.list("JUNIPER_EXPERIMENTS")

	if c.Store.Backend == "cloudflare" && (c.Cloudflare.APIToken == "" || c.Cloudflare.AccountID == "") {
		l.errs = append(l.errs, errors.New("config: cloudflare backend needs JUNIPER_CF_API_TOKEN and JUNIPER_CF_ACCOUNT_ID"))
	}
	if len(l.errs) > 0 {
		return nil, errors.Join(l.errs...)
	}
	return &c, nil
}

type loader struct {
	getenv func(string) string
	errs   []error
}

func (l *loader) str(name, def string) string {
	if v := strings.TrimSpace(l.getenv(name)); v != "" {
		return v
	}
	return def
}

func parse[T any](l *loader, name string, def T, fn func(string) (T, error)) T {
	v := l.getenv(name)
	if v == "" {
		return def
	}
	out, err := fn(v)
	if err != nil {
		l.errs = append(l.errs, fmt.Errorf("config: %s: %w", name, err))
		return def
	}
	return out
}

func (l *loader) int(name string, def int) int { return parse(l, name, def, strconv.Atoi) }

func (l *loader) dur(name string, def time.Duration) time.Duration {
	return parse(l, name, def, time.ParseDuration)
}

func (l *loader) list(name string) []string {
	var out []string
	for _, part := range strings.Split(l.getenv(name), ",") {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}
