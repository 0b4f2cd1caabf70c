// Package settings collects the link shortener's bindings and limits.
package settings

import "time"

const (
	LinksKV  = "LINKS"  // slug -> link record (cache of D1), tag indexes, config
	StatsKV  = "STATS"  // clicks and abuse reports
	BackupKV = "BACKUP" // nightly copy of link records
	DB       = "LINKS_DB"
)

// TTLs in seconds.
const (
	ResolveCacheTTL    = 300
	HotResolveCacheTTL = 5
	PreviewTTL         = 6 * 60 * 60
	TombstoneTTL       = 60
	ClickRetention     = 90 * 24 * 60 * 60
)

// Durations.
const (
	CreateWindow   = 30 * time.Second
	PreviewMaxAge  = 6 * time.Hour
	LinkCacheFor   = 24 * time.Hour
	HeartbeatKeep  = 48 * time.Hour
	TopLinksMaxAge = 36 * time.Hour
)

const (
	CreatesPerWindow = 10
	DailyQuota       = 500
	ReportThreshold  = 3
)

// LaunchPromoEnds is the end of the launch promotion (2025-01-01T00:00:00Z).
const LaunchPromoEnds = 1735689600
