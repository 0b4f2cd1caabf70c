// Package config loads service settings from the environment (wrangler
// vars on the edge, process environment for the ops tool).
package config

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// Getenv abstracts os.Getenv / cloudflare.Getenv.
type Getenv func(string) string

type Edge struct {
	Environment         string
	SessionIdleMinutes  int
	ShareLinkDays       int
	RateLimitPerMinute  int
	FlightAPIBase       string
	FlightAPIKey        string
	LoyaltyAPIBase      string
	HoldGraceSeconds    int
	SummaryCacheMinutes int
	MaxSignInAttempts   int
}

type Ops struct {
	AccountID          string
	APIToken           string
	NamespaceID        string
	SessionNamespaceID string
	APIBase            string
	RetentionDays      int
	FlushSeconds       int
	ListenAddr         string
}

func intVar(get Getenv, name string, def int) int {
	raw := strings.TrimSpace(get(name))
	if raw == "" {
		return def
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 0 {
		return def
	}
	return n
}

func strVar(get Getenv, name, def string) string {
	if v := strings.TrimSpace(get(name)); v != "" {
		return v
	}
	return def
}

func LoadEdge(get Getenv) Edge {
	return Edge{
		Environment:         strVar(get, "WAYFARER_ENV", "production"),
		SessionIdleMinutes:  intVar(get, "SESSION_IDLE_MINUTES", 720),
		ShareLinkDays:       intVar(get, "SHARE_LINK_DAYS", 14),
		RateLimitPerMinute:  intVar(get, "PARTNER_RATE_LIMIT_PER_MINUTE", 600),
		FlightAPIBase:       strVar(get, "FLIGHT_API_BASE", "https://status.aero-data.example.com/v2"),
		FlightAPIKey:        get("FLIGHT_API_KEY"),
		LoyaltyAPIBase:      strVar(get, "LOYALTY_API_BASE", "https://ledger.internal.example.com"),
		HoldGraceSeconds:    intVar(get, "HOLD_GRACE_SECONDS", 120),
		SummaryCacheMinutes: intVar(get, "SUMMARY_CACHE_MINUTES", 30),
		MaxSignInAttempts:   intVar(get, "MAX_SIGNIN_ATTEMPTS", 5),
	}
}

// SessionIdle is how long an unused session stays valid.
func (c Edge) SessionIdle() time.Duration {
	return time.Duration(c.SessionIdleMinutes) * time.Minute
}

// ShareLinkLifetime is the default lifetime of a share link.
func (c Edge) ShareLinkLifetime() time.Duration {
	return time.Duration(c.ShareLinkDays) * 24 * time.Hour
}

// HoldGrace is kept on top of a fare hold's carrier deadline so the
// confirmation page can still show it.
func (c Edge) HoldGrace() time.Duration {
	return time.Duration(c.HoldGraceSeconds) * time.Second
}

func (c Edge) SummaryCache() time.Duration {
	return time.Duration(c.SummaryCacheMinutes) * time.Minute
}

func LoadOps(get Getenv) (Ops, error) {
	c := Ops{
		AccountID:          get("CF_ACCOUNT_ID"),
		APIToken:           get("CF_API_TOKEN"),
		NamespaceID:        get("WAYFARER_KV_NAMESPACE_ID"),
		SessionNamespaceID: get("WAYFARER_SESSIONS_NAMESPACE_ID"),
		APIBase:            strVar(get, "CF_API_BASE", "https://api.cloudflare.com/client/v4"),
		RetentionDays:      intVar(get, "AUDIT_RETENTION_DAYS", 30),
		FlushSeconds:       intVar(get, "USAGE_FLUSH_SECONDS", 30),
		ListenAddr:         strVar(get, "OPS_LISTEN", "127.0.0.1:8088"),
	}
	if c.AccountID == "" || c.APIToken == "" || c.NamespaceID == "" || c.SessionNamespaceID == "" {
		return c, errors.New("config: CF_ACCOUNT_ID, CF_API_TOKEN and both namespace IDs are required")
	}
	return c, nil
}

// Retention is how long audit exports are kept.
func (c Ops) Retention() time.Duration {
	return time.Duration(c.RetentionDays) * 24 * time.Hour
}

// FlushEvery is the write-behind flush interval.
func (c Ops) FlushEvery() time.Duration {
	return time.Duration(c.FlushSeconds) * time.Second
}
