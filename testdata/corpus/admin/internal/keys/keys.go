// Package keys builds the KV key names used across the toolbox. Keeping
// them in one place lets the Workers (TypeScript) side mirror the layout.
package keys

import (
	"strings"
	"time"
)

const sep = ":"

func join(parts ...string) string { return strings.Join(parts, sep) }

// Flag is the key of a single feature flag document.
func Flag(name string) string { return join("flag", name) }

// FlagsDocument is the key holding every flag as one JSON object.
func FlagsDocument() string { return "flags:all" }

// Product is the cached product summary served by the storefront Worker.
func Product(slug string) string { return join("product", slug) }

// Price is the cached price list of a product in a currency.
func Price(slug, currency string) string {
	return join("price", slug, strings.ToLower(currency))
}

// Upstream is the cached health record of an upstream origin.
func Upstream(name string) string { return join("upstream", name, "health") }

// FailedLogins is the per-account failed login record.
func FailedLogins(user string) string { return join("login", "failures", strings.ToLower(user)) }

// Lockout marks an account as locked until the entry expires.
func Lockout(user string) string { return join("login", "locked", strings.ToLower(user)) }

// Probe marks that a lockout notification e-mail was just sent.
func Probe(user string) string { return join("login", "notified", strings.ToLower(user)) }

// UsageDay is the per-tenant API usage of one UTC day.
func UsageDay(tenant string, day time.Time) string {
	return join("usage", tenant, day.UTC().Format("2006-01-02"))
}

// UsageSnapshot is the usage total exported from the billing database.
func UsageSnapshot(tenant string, day time.Time) string {
	return join("usage-snapshot", tenant, day.UTC().Format("2006-01-02"))
}

// Quota is the remaining request allowance of a tenant for the day.
func Quota(tenant string) string { return join("quota", tenant) }

// ReleaseNotes is the notes document of one release.
func ReleaseNotes(version string) string { return join("release-notes", version) }

// ReleaseDraft is an unpublished draft of the notes of a release.
func ReleaseDraft(version string) string { return join("release-notes", "draft", version) }

// ReleasePreview is a share link for a draft.
func ReleasePreview(id string) string { return join("release-notes", "preview", id) }

// ConfigVersion is the key of one immutable configuration version.
func ConfigVersion(version string) string { return join("config", "v", version) }
