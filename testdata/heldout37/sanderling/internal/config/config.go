// Package config holds the lifetimes, plan limits and deployment settings
// shared by the auth backend's services.
package config

import (
	"cmp"
	"fmt"
	"os"
	"time"
)

// Lifetimes of the records the auth backend keeps in Workers KV.
const (
	// SessionTTL is the idle lifetime of a dashboard session.
	SessionTTL = 12 * time.Hour
	// DeviceCodeTTL is the expires_in we advertise for device authorization (RFC 8628).
	DeviceCodeTTL = 10 * time.Minute
	// PollInterval is the minimum interval between two device token polls.
	PollInterval = 5 * time.Second
	// RefreshTokenTTL is the absolute lifetime of a refresh token family.
	RefreshTokenTTL = 30 * 24 * time.Hour
	// KeyCacheTTL bounds how long a verified API key is served from the cache namespace.
	KeyCacheTTL = 5 * time.Minute
	// RotationGrace is how long a rotated API key keeps working.
	RotationGrace = 24 * time.Hour
	// RateWindow is the fixed window of the per-key rate limiter.
	RateWindow = time.Minute
	// StaleAfter is the idle time after which the janitor expires an API key.
	StaleAfter = 90 * 24 * time.Hour
	// UsageRetention is how long monthly usage totals are kept.
	UsageRetention = 400 * 24 * time.Hour
)

// TTLs maps a record kind to its lifetime in KV. Kinds not listed never expire.
var TTLs = map[string]time.Duration{
	"session":  SessionTTL,
	"device":   DeviceCodeTTL,
	"refresh":  RefreshTokenTTL,
	"plan":     mustDuration("15m"),
	"lockout":  mustDuration("45s"),
	"cooldown": mustDuration("20s"),
	"receipt":  mustDuration("72h"),
}

// RatePerWindow maps a plan to the requests an API key may make per RateWindow.
var RatePerWindow = map[string]int{
	"free":       60,
	"pro":        600,
	"enterprise": 6000,
}

// MonthlyQuota maps a plan to the billable units included per calendar month.
var MonthlyQuota = map[string]int64{
	"free":       100_000,
	"pro":        5_000_000,
	"enterprise": 250_000_000,
}

func mustDuration(s string) time.Duration {
	d, err := time.ParseDuration(s)
	if err != nil {
		panic(fmt.Sprintf("config: bad duration %q: %v", s, err))
	}
	return d
}

// Settings are the deployment parameters read from the environment.
type Settings struct {
	AccountID      string
	APIToken       string
	AuthNamespace  string // keys, sessions, OAuth grants
	CacheNamespace string // verified-key cache, plan cache
	StateNamespace string // job checkpoints, usage totals, receipts
	ListenAddr     string
	Issuer         string
}

// FromEnv reads Settings, applying defaults for the optional values.
func FromEnv() (Settings, error) {
	s := Settings{
		AccountID:      os.Getenv("CF_ACCOUNT_ID"),
		APIToken:       os.Getenv("CLOUDFLARE_API_TOKEN"),
		AuthNamespace:  os.Getenv("KV_AUTH_NAMESPACE"),
		CacheNamespace: cmp.Or(os.Getenv("KV_CACHE_NAMESPACE"), os.Getenv("KV_AUTH_NAMESPACE")),
		StateNamespace: cmp.Or(os.Getenv("KV_STATE_NAMESPACE"), os.Getenv("KV_AUTH_NAMESPACE")),
		ListenAddr:     cmp.Or(os.Getenv("LISTEN_ADDR"), ":8080"),
		Issuer:         cmp.Or(os.Getenv("ISSUER"), "https://auth.sanderling.dev"),
	}
	if s.AccountID == "" || s.APIToken == "" || s.AuthNamespace == "" {
		return s, fmt.Errorf("config: CF_ACCOUNT_ID, CLOUDFLARE_API_TOKEN and KV_AUTH_NAMESPACE are required")
	}
	return s, nil
}
