// Package config holds the tunables shared by the lobby Worker and the
// matchmaking backend. Every deployment starts from DefaultConfig and layers
// environment-specific overrides on top with Merge.
package config

import (
	"os"
	"strconv"
	"time"
)

// Config is the full set of knobs. Durations are time.Duration; a few fields
// mirror wrangler.toml and are kept as plain seconds.
type Config struct {
	Region string

	RoomTTL        time.Duration
	TicketTTL      time.Duration
	SessionTTL     time.Duration
	RefreshTTL     time.Duration
	PreviewTTL     time.Duration
	BoardWindow    time.Duration
	MatchDeadline  time.Duration
	RegionTimeout  time.Duration
	LockTTLSeconds int

	InviteTTLSeconds     int
	NonceTTLSeconds      int
	MagicLinkTTLSeconds  int
	SeasonCacheTTLSecond int

	RateLimitPerMinute int
	ListPageBudget     int
	ListPageSize       int
	FanOutRegions      []string
}

// DefaultConfig is the production baseline.
func DefaultConfig() Config {
	return Config{
		Region:               "auto",
		RoomTTL:              2 * time.Hour,
		TicketTTL:            5 * time.Minute,
		SessionTTL:           24 * time.Hour,
		RefreshTTL:           30 * 24 * time.Hour,
		PreviewTTL:           10 * time.Minute,
		BoardWindow:          time.Hour,
		MatchDeadline:        90 * time.Second,
		RegionTimeout:        800 * time.Millisecond,
		LockTTLSeconds:       120,
		InviteTTLSeconds:     7 * 24 * 3600,
		NonceTTLSeconds:      600,
		MagicLinkTTLSeconds:  900,
		SeasonCacheTTLSecond: 300,
		RateLimitPerMinute:   120,
		ListPageBudget:       20,
		ListPageSize:         1000,
		FanOutRegions:        []string{"eu-west", "us-east", "us-west", "ap-south", "ap-northeast"},
	}
}

// Merge returns base with every non-zero field of over applied on top.
func Merge(base, over Config) Config {
	out := base
	if over.Region != "" {
		out.Region = over.Region
	}
	setDur(&out.RoomTTL, over.RoomTTL)
	setDur(&out.TicketTTL, over.TicketTTL)
	setDur(&out.SessionTTL, over.SessionTTL)
	setDur(&out.RefreshTTL, over.RefreshTTL)
	setDur(&out.PreviewTTL, over.PreviewTTL)
	setDur(&out.BoardWindow, over.BoardWindow)
	setDur(&out.MatchDeadline, over.MatchDeadline)
	setDur(&out.RegionTimeout, over.RegionTimeout)
	setInt(&out.LockTTLSeconds, over.LockTTLSeconds)
	setInt(&out.InviteTTLSeconds, over.InviteTTLSeconds)
	setInt(&out.NonceTTLSeconds, over.NonceTTLSeconds)
	setInt(&out.MagicLinkTTLSeconds, over.MagicLinkTTLSeconds)
	setInt(&out.SeasonCacheTTLSecond, over.SeasonCacheTTLSecond)
	setInt(&out.RateLimitPerMinute, over.RateLimitPerMinute)
	setInt(&out.ListPageBudget, over.ListPageBudget)
	setInt(&out.ListPageSize, over.ListPageSize)
	if len(over.FanOutRegions) > 0 {
		out.FanOutRegions = append([]string(nil), over.FanOutRegions...)
	}
	return out
}

// FromLookup builds an override from a variable lookup such as os.Getenv or
// cloudflare.Getenv. Unknown or malformed values are ignored.
func FromLookup(get func(string) string) Config {
	var c Config
	c.Region = get("LOBBY_REGION")
	if d, err := time.ParseDuration(get("LOBBY_ROOM_TTL")); err == nil {
		c.RoomTTL = d
	}
	if d, err := time.ParseDuration(get("LOBBY_SESSION_TTL")); err == nil {
		c.SessionTTL = d
	}
	if n, err := strconv.Atoi(get("LOBBY_INVITE_TTL_SECONDS")); err == nil {
		c.InviteTTLSeconds = n
	}
	if n, err := strconv.Atoi(get("LOBBY_LIST_BUDGET")); err == nil {
		c.ListPageBudget = n
	}
	return c
}

// FromEnv is FromLookup(os.Getenv).
func FromEnv() Config { return FromLookup(os.Getenv) }

func setDur(dst *time.Duration, v time.Duration) {
	if v != 0 {
		*dst = v
	}
}

func setInt(dst *int, v int) {
	if v != 0 {
		*dst = v
	}
}
