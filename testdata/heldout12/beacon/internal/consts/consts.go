// Package consts holds the typed constants shared by beacon's packages: key
// prefixes, retention periods and API limits.
package consts

import (
	"strings"
	"time"
)

// Prefix is the leading segment of a KV key. Every record type owns one.
type Prefix string

const (
	PrefixDevice     Prefix = "device:"
	PrefixSession    Prefix = "sess:"
	PrefixRefresh    Prefix = "refresh:"
	PrefixOTP        Prefix = "otp:"
	PrefixReset      Prefix = "pwreset:"
	PrefixLogin      Prefix = "login_attempts:"
	PrefixPrefs      Prefix = "prefs:"
	PrefixCampaign   Prefix = "campaign:"
	PrefixReceipt    Prefix = "rcpt:"
	PrefixReceiptErr Prefix = "rcpt_fail:"
	PrefixStats      Prefix = "stats:"
	PrefixQuota      Prefix = "quota:"
	PrefixQuotaLimit Prefix = "quota_limit:"
	PrefixRate       Prefix = "rl:"
	PrefixTenant     Prefix = "tenant:"
	PrefixBundle     Prefix = "bundle:"
	PrefixTopic      Prefix = "topic:"
	PrefixInflight   Prefix = "inflight:"
	PrefixLock       Prefix = "lock:"
	PrefixMetrics    Prefix = "metrics:"
	PrefixInstance   Prefix = "instances:"
)

// Key joins parts under the prefix with ':' separators.
func (p Prefix) Key(parts ...string) string { return string(p) + strings.Join(parts, ":") }

// Retention and timing.
const (
	DeviceTTL       = 120 * 24 * time.Hour
	SessionTTL      = 12 * time.Hour
	SessionIdle     = 45 * time.Minute
	ResetTTL        = time.Hour
	LoginWindow     = 15 * time.Minute
	CampaignTTL     = 90 * 24 * time.Hour
	ReceiptTTL      = 30 * 24 * time.Hour
	TenantCacheTTL  = 10 * time.Minute
	LockTTL         = 2 * time.Minute
	InflightTTL     = 20 * time.Second
	InstanceTTL     = 5 * time.Minute
	MinKVTTL        = time.Minute
	HeartbeatEvery  = 500 * time.Millisecond
	InstanceEvery   = time.Minute
	SchedulerPeriod = 15 * time.Second
)

// API limits used when paging and batching.
const (
	ListPageSize  = 1000
	MaxListPages  = 25
	BulkGetMax    = 100
	BulkWriteMax  = 10000
	DefaultDaily  = 50000
	MaxBatchSends = 500
)

// Well-known singleton keys.
const (
	KeyLastRegistration = "stats:last_registration"
	KeyLastWebhook      = "receipts:last_webhook"
	KeySchedulerBeat    = "scheduler:heartbeat"
	KeyLegacyLastSync   = "sync:last_run"
)
