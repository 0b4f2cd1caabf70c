// Package config reads the worker's configuration from environment variables
// (wrangler [vars] and secrets). It is resolved once per invocation and then
// passed down by value.
package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"example.com/ledger/internal/consts"
)

// Config is the root of the worker configuration.
type Config struct {
	Env     string
	Storage Storage
	Points  Points
	Cards   Cards
	Cron    Cron
	Queue   Queue
	HTTP    HTTP
}

// Storage groups the KV bindings and per-record lifetimes.
type Storage struct {
	Bindings Bindings
	Sessions Sessions
	Cache    Cache
	Receipts Receipts
}

type Bindings struct {
	Ledger   consts.Binding
	Sessions consts.Binding
	Cache    consts.Binding
}

type Sessions struct {
	TTL            time.Duration
	RefreshTTL     time.Duration
	IdleTimeout    time.Duration
	MaxPINAttempts int
}

type Cache struct {
	DefaultTTL time.Duration
	// EdgeSeconds is forwarded as cacheTtl on cached reads.
	EdgeSeconds int
}

// Receipts are per-event records the support tool looks up after a
// disputed sale.
type Receipts struct {
	TTL time.Duration
}

type Points struct {
	PerDollar     int
	QuoteWindow   time.Duration
	StatementDays int
}

type Cards struct {
	Validity   time.Duration
	CodeLength int
	MaxBatch   int
}

type Cron struct {
	CheckpointTTL time.Duration
	LockTTL       time.Duration
	Concurrency   int
}

type Queue struct {
	Concurrency int
	MaxRetries  int
}

type HTTP struct {
	RequestsPerMinute int
	AdminToken        string
}

// Load builds a Config from getenv, applying defaults for unset variables.
func Load(getenv func(string) string) (Config, error) {
	p := parser{getenv: getenv}
	cfg := Config{
		Env: p.str("LEDGER_ENV", "production"),
		Storage: Storage{
			Bindings: Bindings{
				Ledger:   consts.Binding(p.str("LEDGER_BINDING", string(consts.BindingLedger))),
				Sessions: consts.Binding(p.str("SESSIONS_BINDING", string(consts.BindingSessions))),
				Cache:    consts.Binding(p.str("CACHE_BINDING", string(consts.BindingCache))),
			},
			Sessions: Sessions{
				TTL:            p.dur("SESSION_TTL", 12*time.Hour),
				RefreshTTL:     p.dur("REFRESH_TTL", 30*24*time.Hour),
				IdleTimeout:    p.dur("SESSION_IDLE_TIMEOUT", 2*time.Hour),
				MaxPINAttempts: p.int("MAX_PIN_ATTEMPTS", 5),
			},
			Cache: Cache{
				DefaultTTL:  p.dur("CACHE_DEFAULT_TTL", 10*time.Minute),
				EdgeSeconds: p.int("CACHE_EDGE_SECONDS", 300),
			},
			Receipts: Receipts{
				TTL: p.dur("RECEIPT_TTL", 45*time.Second), // DEBATABLE kvttl
			},
		},
		Points: Points{
			PerDollar:     p.int("POINTS_PER_DOLLAR", 10),
			QuoteWindow:   p.dur("POINTS_QUOTE_WINDOW", 2*time.Minute),
			StatementDays: p.int("STATEMENT_DAYS", 90),
		},
		Cards: Cards{
			Validity:   p.dur("CARD_VALIDITY", 2*365*24*time.Hour),
			CodeLength: p.int("CARD_CODE_LENGTH", 16),
			MaxBatch:   p.int("CARD_MAX_BATCH", 200),
		},
		Cron: Cron{
			CheckpointTTL: p.dur("CRON_CHECKPOINT_TTL", 48*time.Hour),
			LockTTL:       p.dur("CRON_LOCK_TTL", 5*time.Minute),
			Concurrency:   p.int("CRON_CONCURRENCY", 4),
		},
		Queue: Queue{
			Concurrency: p.int("QUEUE_CONCURRENCY", 8),
			MaxRetries:  p.int("QUEUE_MAX_RETRIES", 3),
		},
		HTTP: HTTP{
			RequestsPerMinute: p.int("HTTP_REQUESTS_PER_MINUTE", 120),
			AdminToken:        getenv("ADMIN_TOKEN"),
		},
	}
	if cfg.Cards.CodeLength < 10 || cfg.Cards.CodeLength > 32 {
		p.errs = append(p.errs, fmt.Errorf("CARD_CODE_LENGTH %d out of range [10,32]", cfg.Cards.CodeLength))
	}
	if cfg.Queue.Concurrency < 1 || cfg.Cron.Concurrency < 1 {
		p.errs = append(p.errs, errors.New("concurrency settings must be at least 1"))
	}
	return cfg, errors.Join(p.errs...)
}

type parser struct {
	getenv func(string) string
	errs   []error
}

func (p *parser) str(name, def string) string {
	if v := strings.TrimSpace(p.getenv(name)); v != "" {
		return v
	}
	return def
}

func (p *parser) dur(name string, def time.Duration) time.Duration {
	v := strings.TrimSpace(p.getenv(name))
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		p.errs = append(p.errs, fmt.Errorf("%s: %w", name, err))
		return def
	}
	return d
}

func (p *parser) int(name string, def int) int {
	v := strings.TrimSpace(p.getenv(name))
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		p.errs = append(p.errs, fmt.Errorf("%s: %w", name, err))
		return def
	}
	return n
}
