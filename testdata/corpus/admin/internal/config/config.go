// Package config holds the static configuration shared by the kvadmin
// toolbox and the backend services: namespace IDs, key prefixes and the
// lifetimes we give to the different kinds of entries.
package config

import (
	"fmt"
	"os"
	"time"
)

// Environment variables read at start-up.
const (
	EnvAccountID = "CF_ACCOUNT_ID"
	EnvAPIToken  = "CF_API_TOKEN"
	EnvDatabase  = "KVADMIN_DATABASE_URL"
)

// Workers KV namespace IDs (production account).
const (
	NSFlags        = "5d1c0f3e8a2b4c6d9e7f1a2b3c4d5e6f"
	NSFlagsStaging = "0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d"
	NSCache        = "c3a1e6b0d2f94e7a8b5c1d0e2f3a4b5c"
	NSOps          = "7e6d5c4b3a29180f7e6d5c4b3a291800"
	NSUsage        = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"
	NSLogin        = "1b2c3d4e5f60718293a4b5c6d7e8f901"
)

// Lifetimes of cached and derived entries.
const (
	FlagCacheTTL      = 5 * time.Minute
	ProductTTL        = 30 * time.Minute
	PriceTTL          = 10 * time.Minute
	PreviewLinkTTL    = time.Hour
	DraftTTL          = 7 * 24 * time.Hour
	UsageRetention    = 35 * 24 * time.Hour
	CanaryWindow      = 2 * time.Hour
	LockoutWindow     = 15 * time.Minute
	ResetLinkTTL      = 20 * time.Minute
	RateLimitWindow   = 60
	HealthTTLSeconds  = 90
	ProbeCooldownSecs = 30
	ExportManifestTTL = 3600
)

// Limits for the login-lockout service and the API gateway.
const (
	MaxFailedLogins  = 5
	RequestsPerMin   = 600
	DefaultDayQuota  = 100_000
	NotesMaxEntries  = 200
	ConfigKeepRecent = 50
)

// Batching and listing.
const (
	BulkChunkSize = 1000
	ListPageSize  = 1000
	BulkGetSize   = 100
	MaxListPages  = 500
	Workers       = 8
)

// Credentials returns the account ID and API token from the environment.
func Credentials() (accountID, token string, err error) {
	accountID = os.Getenv(EnvAccountID)
	token = os.Getenv(EnvAPIToken)
	if accountID == "" || token == "" {
		return "", "", fmt.Errorf("%s and %s must be set", EnvAccountID, EnvAPIToken)
	}
	return accountID, token, nil
}
