// Package config holds kittiwake's runtime configuration. The Worker reads it
// from its environment bindings and the ops tool from the process environment;
// both merge what they read with the defaults below.
package config

import (
	"strconv"
	"time"
)

// TTLConfig holds the lifetimes of the records kittiwake keeps in KV.
type TTLConfig struct {
	Session, Refresh, Lobby, Presence, Profile, Response, Leaderboard time.Duration
}

// ListConfig bounds how much of a namespace a single invocation may walk.
type ListConfig struct {
	PageSize int
	MaxPages int
}

// KVConfig describes the Worker's KV bindings.
type KVConfig struct {
	GameBinding    string
	SessionBinding string
	CacheTTL       int // seconds, for hot reads
	TTL            TTLConfig
	List           ListConfig
}

// RESTConfig describes the Cloudflare API access used by the ops tool.
type RESTConfig struct {
	AccountID, NamespaceID, APIToken string
	Timeout                          time.Duration
	Retries                          int
}

// MatchConfig tunes the matchmaker.
type MatchConfig struct {
	SearchWindow time.Duration
	MaxSkillGap  int
}

// SeasonConfig identifies the running season.
type SeasonConfig struct {
	ID           string
	ResetHourUTC int
}

// Config is the whole configuration. It is passed by value.
type Config struct {
	Env    string
	KV     KVConfig
	REST   RESTConfig
	Match  MatchConfig
	Season SeasonConfig
}

func orDefault[T comparable](v *T, d T) {
	var zero T
	if *v == zero {
		*v = d
	}
}

func (t TTLConfig) withDefaults() TTLConfig {
	orDefault(&t.Session, 24*time.Hour)
	orDefault(&t.Refresh, 30*24*time.Hour)
	orDefault(&t.Lobby, 2*time.Hour)
	orDefault(&t.Presence, 30*time.Second)
	orDefault(&t.Profile, time.Hour)
	orDefault(&t.Response, 5*time.Minute)
	orDefault(&t.Leaderboard, 15*time.Minute)
	return t
}

func (k KVConfig) withDefaults() KVConfig {
	orDefault(&k.GameBinding, "GAME_KV")
	orDefault(&k.SessionBinding, "SESSION_KV")
	orDefault(&k.CacheTTL, 60)
	if k.List.PageSize <= 0 || k.List.PageSize > 1000 {
		k.List.PageSize = 1000
	}
	orDefault(&k.List.MaxPages, 10)
	k.TTL = k.TTL.withDefaults()
	return k
}

func (c Config) withDefaults() Config {
	orDefault(&c.Env, "production")
	c.KV = c.KV.withDefaults()
	orDefault(&c.REST.Timeout, 20*time.Second)
	orDefault(&c.REST.Retries, 2)
	orDefault(&c.Match.SearchWindow, 45*time.Second)
	orDefault(&c.Match.MaxSkillGap, 150)
	orDefault(&c.Season.ID, "s1")
	return c
}

// Load reads the configuration through lookup (os.Getenv, or the Worker's
// cloudflare.Getenv) and fills in defaults for everything left unset.
func Load(lookup func(string) string) Config {
	var c Config
	c.Env = lookup("KITTIWAKE_ENV")
	c.KV.GameBinding = lookup("KV_GAME_BINDING")
	c.KV.SessionBinding = lookup("KV_SESSION_BINDING")
	c.KV.CacheTTL = atoi(lookup("KV_CACHE_TTL"))
	c.KV.TTL.Session = duration(lookup("TTL_SESSION"))
	c.KV.TTL.Lobby = duration(lookup("TTL_LOBBY"))
	c.KV.TTL.Presence = duration(lookup("TTL_PRESENCE"))
	c.KV.List.MaxPages = atoi(lookup("KV_LIST_MAX_PAGES"))
	c.REST.AccountID = lookup("CF_ACCOUNT_ID")
	c.REST.NamespaceID = lookup("CF_KV_NAMESPACE_ID")
	c.REST.APIToken = lookup("CF_API_TOKEN")
	c.Match.SearchWindow = duration(lookup("MATCH_SEARCH_WINDOW"))
	c.Season.ID = lookup("SEASON_ID")
	c.Season.ResetHourUTC = atoi(lookup("SEASON_RESET_HOUR_UTC"))
	return c.withDefaults()
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

func duration(s string) time.Duration {
	d, _ := time.ParseDuration(s)
	return d
}
