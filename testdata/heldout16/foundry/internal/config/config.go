// Package config loads foundryd's settings from the environment. Everything
// the binaries need is read once here and handed down explicitly.
package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Config is the full service configuration.
type Config struct {
	Addr     string
	LogLevel string

	Cloudflare struct {
		AccountID, APIToken, BaseURL string
		// Namespaces maps each logical store to a Workers KV namespace ID.
		Namespaces struct {
			Profiles, Sessions, Matchmaking, Flags, Guilds, Replays, Ops string
		}
	}

	TTL struct {
		Session, ProfileCard, LobbyIdle time.Duration
		Invite                          struct{ Guild, Party, Tournament time.Duration }
	}

	// StoreMode selects how the storage port is decorated: "direct" talks to
	// KV as-is, "guarded" puts a circuit breaker in front.
	StoreMode string
	Breaker   struct {
		Failures int
		Cooldown time.Duration
	}

	// FlagStrategy picks the experiment assigner: "hash" or "sticky".
	FlagStrategy string
	Matchmaking  struct {
		Window     time.Duration
		DailyQuota int
	}
	RateLimit struct {
		Window time.Duration
		Limit  int
	}
	ReplayBatch int
	Upstream    string // base URL of the studio's internal services
	PublicURL   string
}

// Load reads the configuration using getenv (os.Getenv in production).
func Load(getenv func(string) string) (*Config, error) {
	e := env{get: getenv}
	c := &Config{}
	c.Addr = e.str("FOUNDRY_ADDR", ":8080")
	c.LogLevel = e.str("FOUNDRY_LOG_LEVEL", "info")

	cf := &c.Cloudflare
	cf.AccountID, cf.APIToken = e.str("CF_ACCOUNT_ID", ""), e.str("CF_API_TOKEN", "")
	cf.BaseURL = e.str("CF_API_BASE_URL", "")
	ns := &cf.Namespaces
	ns.Profiles, ns.Sessions = e.str("KV_NS_PROFILES", ""), e.str("KV_NS_SESSIONS", "")
	ns.Matchmaking, ns.Flags = e.str("KV_NS_MATCHMAKING", ""), e.str("KV_NS_FLAGS", "")
	ns.Guilds, ns.Replays, ns.Ops = e.str("KV_NS_GUILDS", ""), e.str("KV_NS_REPLAYS", ""), e.str("KV_NS_OPS", "")

	c.TTL.Session = e.dur("FOUNDRY_SESSION_TTL", 12*time.Hour)
	c.TTL.ProfileCard = e.dur("FOUNDRY_PROFILE_CARD_TTL", 5*time.Minute)
	c.TTL.LobbyIdle = e.dur("FOUNDRY_LOBBY_IDLE_TTL", 15*time.Minute)
	c.TTL.Invite.Guild = e.dur("FOUNDRY_INVITE_GUILD_TTL", 7*24*time.Hour)
	c.TTL.Invite.Party = e.dur("FOUNDRY_INVITE_PARTY_TTL", 10*time.Minute)
	c.TTL.Invite.Tournament = e.dur("FOUNDRY_INVITE_TOURNAMENT_TTL", 48*time.Hour)

	c.StoreMode = strings.ToLower(e.str("FOUNDRY_STORE_MODE", "guarded"))
	c.Breaker.Failures = e.int("FOUNDRY_BREAKER_FAILURES", 5)
	c.Breaker.Cooldown = e.dur("FOUNDRY_BREAKER_COOLDOWN", 20*time.Second)
	c.FlagStrategy = strings.ToLower(e.str("FOUNDRY_FLAG_STRATEGY", "hash"))
	c.Matchmaking.Window = e.dur("FOUNDRY_MM_WINDOW", 30*time.Second)
	c.Matchmaking.DailyQuota = e.int("FOUNDRY_MM_DAILY_QUOTA", 500)
	c.RateLimit.Window = e.dur("FOUNDRY_RATE_WINDOW", time.Minute)
	c.RateLimit.Limit = e.int("FOUNDRY_RATE_LIMIT", 120)
	c.ReplayBatch = e.int("FOUNDRY_REPLAY_BATCH", 500)
	c.Upstream = e.str("FOUNDRY_UPSTREAM_URL", "http://platform.internal")
	c.PublicURL = e.str("FOUNDRY_PUBLIC_URL", "https://play.example.com")

	if c.Cloudflare.AccountID == "" || c.Cloudflare.APIToken == "" {
		e.errs = append(e.errs, errors.New("CF_ACCOUNT_ID and CF_API_TOKEN are required"))
	}
	if c.StoreMode != "direct" && c.StoreMode != "guarded" {
		e.errs = append(e.errs, fmt.Errorf("FOUNDRY_STORE_MODE: unknown mode %q", c.StoreMode))
	}
	if c.ReplayBatch <= 0 || c.ReplayBatch > 10000 {
		e.errs = append(e.errs, fmt.Errorf("FOUNDRY_REPLAY_BATCH: %d out of range", c.ReplayBatch))
	}
	return c, errors.Join(e.errs...)
}

type env struct {
	get  func(string) string
	errs []error
}

func (e *env) str(name, def string) string {
	return parse(e, name, def, func(v string) (string, error) { return v, nil })
}
func (e *env) dur(name string, def time.Duration) time.Duration {
	return parse(e, name, def, time.ParseDuration)
}
func (e *env) int(name string, def int) int { return parse(e, name, def, strconv.Atoi) }

func parse[T any](e *env, name string, def T, conv func(string) (T, error)) T {
	v := strings.TrimSpace(e.get(name))
	if v == "" {
		return def
	}
	out, err := conv(v)
	if err != nil {
		e.errs = append(e.errs, fmt.Errorf("%s: %w", name, err))
		return def
	}
	return out
}
