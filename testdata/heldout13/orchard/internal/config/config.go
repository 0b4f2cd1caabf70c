// Package config reads the worker's settings from its environment bindings.
//
// Everything that differs between the staging and production workers lives
// here; the storage-facing packages receive the values they need from the
// entry points and never read the environment themselves.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// Getenv reads one variable: cloudflare.Getenv in the worker, a map lookup
// in tests.
type Getenv func(name string) string

// Config is the parsed worker configuration.
type Config struct {
	Env string

	// KV bindings, by wrangler.toml binding name.
	MainBinding    string
	SessionBinding string
	EdgeBinding    string

	// ReadCacheTTL is passed to KV gets as cacheTtl by the adapter.
	ReadCacheTTL time.Duration
	// SessionIdle is how long a buyer session survives without a request.
	SessionIdle time.Duration
	RateWindow  time.Duration
	RateLimit   int
	// MaxPages bounds every listing walk the worker does in one invocation.
	MaxPages   int
	JobTimeout time.Duration
	Instance   string
	Origin     string
	Debug      bool

	Policies Policies
}

// FieldError reports one variable that could not be parsed.
type FieldError struct {
	Name, Value string
	Err         error
}

func (e *FieldError) Error() string { return fmt.Sprintf("config: %s=%q: %v", e.Name, e.Value, e.Err) }
func (e *FieldError) Unwrap() error { return e.Err }

// Load parses the environment and reports every bad variable at once.
func Load(getenv Getenv) (*Config, error) {
	p := parser{getenv: getenv}
	cfg := &Config{
		Env:            p.str("ORCHARD_ENV", "production"),
		MainBinding:    p.str("KV_MAIN", "ORCHARD_KV"),
		SessionBinding: p.str("KV_SESSIONS", "ORCHARD_SESSIONS"),
		EdgeBinding:    p.str("KV_EDGE", "ORCHARD_EDGE"),
		ReadCacheTTL:   p.duration("KV_READ_CACHE_TTL", 5*time.Minute),
		SessionIdle:    p.duration("SESSION_IDLE", 12*time.Hour),
		RateWindow:     p.duration("RATE_WINDOW", time.Minute),
		RateLimit:      p.integer("RATE_LIMIT", 30),
		MaxPages:       p.integer("LIST_MAX_PAGES", 20),
		JobTimeout:     p.duration("JOB_TIMEOUT", 25*time.Second),
		Instance:       p.str("CF_INSTANCE", "edge"),
		Origin:         p.str("REGISTRY_ORIGIN", "https://registry.orchard.example"),
		Debug:          p.str("LOG_LEVEL", "info") == "debug",
		Policies:       DefaultPolicies(),
	}
	if cfg.MaxPages < 1 {
		p.errs = append(p.errs, &FieldError{"LIST_MAX_PAGES", strconv.Itoa(cfg.MaxPages), errors.New("must be positive")})
	}
	if err := errors.Join(p.errs...); err != nil {
		return nil, err
	}
	return cfg, nil
}

// Level is the log level the configuration asks for.
func (c *Config) Level() slog.Level {
	if c.Debug {
		return slog.LevelDebug
	}
	return slog.LevelInfo
}

type parser struct {
	getenv Getenv
	errs   []error
}

func (p *parser) str(name, def string) string {
	if v := strings.TrimSpace(p.getenv(name)); v != "" && v != "undefined" {
		return v
	}
	return def
}

func (p *parser) duration(name string, def time.Duration) time.Duration {
	return parse(p, name, def, time.ParseDuration)
}

func (p *parser) integer(name string, def int) int {
	return parse(p, name, def, strconv.Atoi)
}

func parse[T any](p *parser, name string, def T, conv func(string) (T, error)) T {
	raw := p.str(name, "")
	if raw == "" {
		return def
	}
	v, err := conv(raw)
	if err != nil {
		p.errs = append(p.errs, &FieldError{name, raw, err})
		return def
	}
	return v
}
