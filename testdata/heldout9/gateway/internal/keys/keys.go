// Package keys is the single place where KV key names are spelled. The edge
// worker has a copy of these in keys.ts; keep them in sync.
package keys

import (
	"fmt"
	"strings"
	"time"
)

const (
	APIKeyPrefix    = "apikey:"
	NegativePrefix  = "apikey-miss:"
	RevokedAPIKeys  = "apikey:revoked"
	RoutesLive      = "routes:live"
	RoutesDraft     = "routes:draft"
	RoutePrefix     = "route:"
	PolicyPrefix    = "ratelimit:policy:"
	QuotaLimitPfx   = "quota-limit:"
	SessionPrefix   = "console:sess:"
	SSOStatePrefix  = "console:sso:"
	AuditPrefix     = "audit:"
	AuditLatest     = "audit:latest"
	MaintPrefix     = "maint:"
	MaintFlags      = "maint:flags"
	TenantPrefix    = "tenant:"
	HitsPrefix      = "hits:"
	UsageSummary    = "usage:summary"
	UsageSnapshot   = "usage:snapshot"
	JWKS            = "auth:jwks"
	Heartbeat       = "controlplane:last-seen"
	GatewaySettings = "gateway:settings"
)

// Builder joins key segments with ':'.
type Builder struct{ parts []string }

// New starts a key in the given namespace segment.
func New(ns string) Builder { return Builder{parts: []string{ns}} }

// With returns a copy with more segments appended.
func (b Builder) With(seg ...string) Builder {
	parts := make([]string, 0, len(b.parts)+len(seg))
	parts = append(parts, b.parts...)
	return Builder{parts: append(parts, seg...)}
}

func (b Builder) String() string { return strings.Join(b.parts, ":") }

// APIKey is the record for a hashed API key.
func APIKey(hash string) string { return APIKeyPrefix + hash }

// Quota is the per-key monthly usage cell.
func Quota(keyID string, at time.Time) string {
	return fmt.Sprintf("quota:%s:%s", keyID, at.UTC().Format("2006-01"))
}

// QuotaLimit is the tenant's monthly allowance, published from billing.
func QuotaLimit(tenant string) string { return QuotaLimitPfx + tenant }

// Attempts counts failed console logins per client address.
func Attempts(ip string) string { return New("auth").With("attempts", ip).String() }

// Hits is the running request total for a tenant.
func Hits(tenant string) string { return HitsPrefix + tenant }

// UsageBucket is one hour of usage for a tenant, written by the edge worker.
func UsageBucket(tenant string, hour time.Time) string {
	return strings.Join([]string{"usage", tenant, hour.UTC().Format("2006010215")}, ":")
}

// Route is the per-route record.
func Route(id string) string { return RoutePrefix + id }
