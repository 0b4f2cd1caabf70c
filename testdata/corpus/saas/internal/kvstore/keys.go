package kvstore

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// MonthOf formats t as the billing month used in keys.
func MonthOf(t time.Time) string { return t.UTC().Format("2006-01") }

// DayOf formats t as the day used in keys.
func DayOf(t time.Time) string { return t.UTC().Format("2006-01-02") }

// QuotaKey is the key of a tenant's consumption for a billing month.
func QuotaKey(tenant string, month string) string {
	return "quota:" + tenant + ":" + month
}

// MeterKey is the key of a tenant's daily usage of one metric.
func MeterKey(tenant, metric, day string) string {
	return fmt.Sprintf("meter:%s:%s:%s", tenant, metric, day)
}

// IPWindowKey is the rate-limit bucket of ip for a fixed window number.
func IPWindowKey(ip string, window int64) string {
	return "rl:ip:" + ip + ":" + strconv.FormatInt(window, 10)
}

// TenantWindowKey is the rate-limit bucket of a tenant for a window number.
func TenantWindowKey(tenant string, window int64) string {
	return "rl:tenant:" + tenant + ":" + strconv.FormatInt(window, 10)
}

// FlagKey is where a tenant's feature flags live.
func FlagKey(tenant string) string { return "flags:" + tenant }

// SettingsKey is where a tenant's settings document lives.
func SettingsKey(tenant string) string { return "settings:" + tenant }

// PlanKey caches a tenant's plan row.
func PlanKey(tenant string) string { return "plan:" + tenant }

// NormEmail lower-cases and trims an e-mail address for use in keys.
func NormEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }
