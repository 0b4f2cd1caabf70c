// Package config holds the runtime settings of the edge worker. Settings are
// stored in KV under SettingsKey, loaded at start-up and re-read by the
// scheduled handler; readers call Load on the shared atomic pointer at each
// use so that a reload takes effect without a deploy.
package config

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"time"
)

// SettingsKey is the KV key of the JSON settings document.
const SettingsKey = "settings:v1"

// Value kinds whose lifetime an ExpiryPolicy decides.
const (
	KindSession = "session"
	KindHold    = "hold"
	KindMenu    = "menu"
	KindCode    = "code"
	KindBoard   = "board"
)

// Config is the live configuration.
type Config struct {
	Mode          string
	KeyPrefix     string
	SessionTTL    time.Duration
	HoldTTL       time.Duration
	MenuTTL       time.Duration
	MagicLinkTTL  time.Duration
	SeatedWindow  time.Duration
	MaxPartySize  int
	DailyCovers   int
	ListPageSize  int
	MaxSweepPages int
	OriginURL     string
}

type fileConfig struct {
	Mode          string `json:"mode"`
	KeyPrefix     string `json:"key_prefix"`
	SessionHours  int    `json:"session_hours"`
	HoldMinutes   int    `json:"hold_minutes"`
	MenuMinutes   int    `json:"menu_minutes"`
	LinkMinutes   int    `json:"magic_link_minutes"`
	SeatedSeconds int    `json:"seated_window_seconds"`
	MaxPartySize  int    `json:"max_party_size"`
	DailyCovers   int    `json:"daily_covers"`
	ListPageSize  int    `json:"list_page_size"`
	MaxSweepPages int    `json:"max_sweep_pages"`
	OriginURL     string `json:"origin_url"`
}

// Defaults is used until the settings document has been read.
func Defaults() *Config {
	return &Config{
		Mode: "standard", KeyPrefix: "sedge:", OriginURL: "https://origin.sedge.example",
		SessionTTL: 14 * 24 * time.Hour, HoldTTL: 10 * time.Minute, MenuTTL: 30 * time.Minute,
		MagicLinkTTL: 15 * time.Minute, SeatedWindow: 5 * time.Minute,
		MaxPartySize: 12, DailyCovers: 240, ListPageSize: 500, MaxSweepPages: 20,
	}
}

// Parse decodes a settings document; absent fields keep their defaults.
func Parse(raw []byte) (*Config, error) {
	var f fileConfig
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	c := Defaults()
	c.Mode = cmp.Or(f.Mode, c.Mode)
	c.KeyPrefix = cmp.Or(f.KeyPrefix, c.KeyPrefix)
	c.OriginURL = cmp.Or(f.OriginURL, c.OriginURL)
	c.SessionTTL = cmp.Or(time.Duration(f.SessionHours)*time.Hour, c.SessionTTL)
	c.HoldTTL = cmp.Or(time.Duration(f.HoldMinutes)*time.Minute, c.HoldTTL)
	c.MenuTTL = cmp.Or(time.Duration(f.MenuMinutes)*time.Minute, c.MenuTTL)
	c.MagicLinkTTL = cmp.Or(time.Duration(f.LinkMinutes)*time.Minute, c.MagicLinkTTL)
	c.SeatedWindow = cmp.Or(time.Duration(f.SeatedSeconds)*time.Second, c.SeatedWindow)
	c.MaxPartySize = cmp.Or(f.MaxPartySize, c.MaxPartySize)
	c.DailyCovers = cmp.Or(f.DailyCovers, c.DailyCovers)
	c.ListPageSize = cmp.Or(f.ListPageSize, c.ListPageSize)
	c.MaxSweepPages = cmp.Or(f.MaxSweepPages, c.MaxSweepPages)
	return c, nil
}

// Live is the hot-reloadable configuration shared by all stores.
type Live = atomic.Pointer[Config]

// NewLive returns a Live holding the defaults.
func NewLive() *Live {
	l := new(Live)
	l.Store(Defaults())
	return l
}

// ExpiryPolicy decides how long a value of a given kind lives in KV.
type ExpiryPolicy interface {
	TTL(kind string, cfg *Config) time.Duration
}

// KeyScheme turns a store prefix and a logical name into a KV key.
type KeyScheme interface {
	Key(prefix, name string) string
}

type standardExpiry struct{}

func (standardExpiry) TTL(kind string, cfg *Config) time.Duration {
	switch kind {
	case KindSession:
		return cfg.SessionTTL
	case KindHold:
		return cfg.HoldTTL
	case KindMenu:
		return cfg.MenuTTL
	case KindCode:
		return 10 * time.Minute
	case KindBoard:
		return 6 * time.Hour
	}
	return time.Hour
}

// previewExpiry shortens lifetimes on preview deployments so that test data
// clears itself quickly.
type previewExpiry struct {
	base ExpiryPolicy
}

func (p previewExpiry) TTL(kind string, cfg *Config) time.Duration {
	switch kind {
	case KindHold:
		return 20 * time.Second // EXPECT kvttl
	case KindMenu, KindBoard:
		return 2 * time.Minute
	}
	return p.base.TTL(kind, cfg)
}

type plainKeys struct{}

func (plainKeys) Key(prefix, name string) string { return prefix + name }

// hashedKeys keeps identifiers out of key names in production: the last
// ':'-separated segment of the name is replaced by a truncated SHA-256, so
// listing by the leading segments still works.
type hashedKeys struct{}

func (hashedKeys) Key(prefix, name string) string {
	head, tail := "", name
	if i := strings.LastIndexByte(name, ':'); i >= 0 {
		head, tail = name[:i+1], name[i+1:]
	}
	sum := sha256.Sum256([]byte(tail))
	return prefix + head + hex.EncodeToString(sum[:20])
}

// Strategies picks the expiry policy and key scheme for a deployment mode.
func Strategies(mode string) (ExpiryPolicy, KeyScheme) {
	switch mode {
	case "production":
		return standardExpiry{}, hashedKeys{}
	case "preview":
		return previewExpiry{base: standardExpiry{}}, plainKeys{}
	default:
		return standardExpiry{}, plainKeys{}
	}
}
