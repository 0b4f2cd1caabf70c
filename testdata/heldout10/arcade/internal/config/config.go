// Package config holds the arcade worker's tunables. Defaults are checked in;
// a handful can be overridden through worker vars (wrangler.toml [vars]).
package config

import (
	"fmt"
	"time"
)

// Config is built once per isolate and handed to every service.
type Config struct {
	Session     SessionConfig
	Lobby       LobbyConfig
	Matchmaking MatchmakingConfig
	Leaderboard LeaderboardConfig
	Challenges  ChallengeConfig
	Admin       AdminConfig
	RateLimit   RateLimitConfig
}

type SessionConfig struct {
	TTL, RefreshTTL, AccessTTL, MagicLinkTTL, OAuthStateTTL time.Duration
}

type LobbyConfig struct {
	IdleTTL       time.Duration // a lobby nobody touches disappears after this
	PresenceTTL   time.Duration // heartbeat record lifetime
	MaxPlayers    int
	DailyCreation int // lobbies a player may open per day
}

type MatchmakingConfig struct {
	PoolTTL      time.Duration
	PoolPageSize int
	SweepBudget  time.Duration
}

type LeaderboardConfig struct {
	SnapshotTTL  time.Duration
	RebuildPages int
}

type ChallengeConfig struct {
	SlotsPerDay int
	PurgeAfter  time.Duration
}

type AdminConfig struct {
	ExportPageSize, ExportMaxPages, ReindexWorkers int
}

type RateLimitConfig struct {
	Window time.Duration
	Limit  int
}

// Defaults returns the production defaults.
func Defaults() Config {
	return Config{
		Session: SessionConfig{
			TTL:           24 * time.Hour,
			RefreshTTL:    30 * 24 * time.Hour,
			AccessTTL:     15 * time.Minute,
			MagicLinkTTL:  15 * time.Minute,
			OAuthStateTTL: 10 * time.Minute,
		},
		Lobby: LobbyConfig{
			IdleTTL:       2 * time.Hour,
			PresenceTTL:   45 * time.Second, // EXPECT kvttl
			MaxPlayers:    8,
			DailyCreation: 20,
		},
		Matchmaking: MatchmakingConfig{
			PoolTTL:      10 * time.Minute,
			PoolPageSize: 500,
			SweepBudget:  20 * time.Second,
		},
		Leaderboard: LeaderboardConfig{
			SnapshotTTL:  5 * time.Minute,
			RebuildPages: 10,
		},
		Challenges: ChallengeConfig{
			SlotsPerDay: 3,
			PurgeAfter:  14 * 24 * time.Hour,
		},
		Admin: AdminConfig{
			ExportPageSize: 5000, // EXPECT kvlimits
			ExportMaxPages: 50,
			ReindexWorkers: 8,
		},
		RateLimit: RateLimitConfig{
			Window: time.Minute,
			Limit:  120,
		},
	}
}

// Load starts from Defaults and applies the overrides present in the
// environment. getenv returns "" for an unset variable.
func Load(getenv func(string) string) (Config, error) {
	cfg := Defaults()
	var err error
	if cfg.Session.TTL, err = durationVar(getenv, "SESSION_TTL", cfg.Session.TTL); err != nil {
		return Config{}, err
	}
	if cfg.Lobby.IdleTTL, err = durationVar(getenv, "LOBBY_IDLE_TTL", cfg.Lobby.IdleTTL); err != nil {
		return Config{}, err
	}
	if cfg.Matchmaking.PoolTTL, err = durationVar(getenv, "MM_POOL_TTL", cfg.Matchmaking.PoolTTL); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

func durationVar(getenv func(string) string, name string, def time.Duration) (time.Duration, error) {
	raw := getenv(name)
	if raw == "" {
		return def, nil
	}
	d, err := time.ParseDuration(raw)
	if err != nil {
		return 0, fmt.Errorf("config: %s: %w", name, err)
	}
	if d < time.Minute {
		return 0, fmt.Errorf("config: %s=%s is shorter than a minute", name, raw)
	}
	return d, nil
}
