// Package kvkeys holds the key prefixes and lifetimes shared by every
// package that talks to the flag namespaces. Keep the prefixes short: they
// are repeated in every key and count against the 512 byte key limit.
package kvkeys

import "time"

// Root segments. Everything below is composed from these.
const (
	root     = "fs:"
	flagsSeg = "flag:"
	envSeg   = "env:"
	authSeg  = "auth:"
)

// Flag configuration and per-environment overrides.
const (
	PrefixFlag = root + flagsSeg +
		"cfg:"
	PrefixFlagHistory = root + flagsSeg +
		"hist:"
	PrefixFlagSlug = root + flagsSeg +
		"slug:"
	PrefixOverride = root + envSeg +
		"ovr:"
	PrefixEnvSnapshot = root + envSeg +
		"snap:"
	KeyLastPublish = root + flagsSeg +
		"last-publish"
	KeyEnvVersion = root + envSeg +
		"version"
	KeyFlagIndex = root + flagsSeg +
		"index"
)

// Dashboard sessions, OAuth and SDK credentials.
const (
	PrefixSession = root + authSeg +
		"session:"
	PrefixOAuthState = root + authSeg +
		"oauth-state:"
	PrefixMagicLink = root + authSeg +
		"magic:"
	PrefixCSRF = root + authSeg +
		"csrf:"
	PrefixLoginAttempts = root + authSeg +
		"attempts:"
	PrefixSDKKey = root + "sdk:" +
		"key:"
	PrefixSDKKeyName = root + "sdk:" +
		"name:"
	KeySDKRevoked = root + "sdk:" +
		"revoked"
	KeySDKLastSeen = root + "sdk:" +
		"last-seen"
)

// Evaluation counters, rate limits and the audit trail.
const (
	PrefixEvalCount = root + "eval:" +
		"count:"
	PrefixEvalRollup = root + "eval:" +
		"rollup:"
	PrefixRateLimit = root + "eval:" +
		"ratelimit:"
	KeyEvalLastFlush = root + "eval:" +
		"last-flush"
	PrefixAudit = root +
		"audit:"
	PrefixAuditLog = root + "audit:" +
		"log:"
	KeyCleanupProgress = root + "jobs:" +
		"cleanup-progress"
	KeyCleanupLastRun = root + "jobs:" +
		"cleanup-last-run"
)

// Lifetimes in seconds, as the KV API takes them.
const (
	TTLSession     = 12 * 60 * 60
	TTLOAuthState  = 10 * 60
	TTLMagicLink   = 15 * 60
	TTLCSRF        = 30
	TTLSDKKeyCache = 5 * 60
	TTLRollup      = 35 * 24 * 60 * 60
	TTLAudit       = 400 * 24 * 60 * 60
	TTLRateWindow  = 60
)

// Lifetimes as durations, for the adapters that take a time.Duration.
const (
	OverrideCacheTTL = 10 * time.Minute
	SnapshotTTL      = 6 * time.Hour
	LockTTL          = 2 * time.Minute
	LastSeenTTL      = 45 * time.Second
)
