// Package keys builds the KV key names shared by the edge Worker and the
// admin backend. Tenant IDs and experiment IDs never contain ':'.
package keys

import "strings"

// Experiment is the published definition of an experiment (CONFIG).
func Experiment(tenant, id string) string { return "exp:" + tenant + ":" + id }

// ExperimentPrefix lists a tenant's experiments.
func ExperimentPrefix(tenant string) string { return "exp:" + tenant + ":" }

// ExperimentIndex is the JSON list of a tenant's experiment IDs (CONFIG).
func ExperimentIndex(tenant string) string { return "expindex:" + tenant }

// Tenants is the JSON list of active tenant IDs (CONFIG).
const Tenants = "tenants"

// TenantConfig holds a tenant's settings (CONFIG).
func TenantConfig(tenant string) string { return "tenantcfg:" + tenant }

// TenantSlug maps a public slug to a tenant ID (CONFIG).
func TenantSlug(slug string) string { return "slug:" + strings.ToLower(slug) }

// Killswitch stops one experiment at the edge (CONFIG).
func Killswitch(tenant, exp string) string { return "kill:" + tenant + ":" + exp }

// Holdout is the JSON list of subjects held out of an experiment (ASSIGN).
func Holdout(tenant, exp string) string { return "holdout:" + tenant + ":" + exp }

// Assignment is a subject's sticky variant (ASSIGN).
func Assignment(tenant, exp, subject string) string {
	return "asg:" + tenant + ":" + exp + ":" + subject
}

// AssignmentPrefix lists all sticky assignments of an experiment.
func AssignmentPrefix(tenant, exp string) string { return "asg:" + tenant + ":" + exp + ":" }

// Exposures is the exposure tally of one variant (EVENTS).
func Exposures(tenant, exp, variant string) string {
	return "exposures:" + tenant + ":" + exp + ":" + variant
}

// Quota is an API key's request tally for one UTC day (EVENTS).
func Quota(keyID, day string) string { return "quota:" + keyID + ":" + day }

// APIKey is the record of an API key, by SHA-256 of the secret (CONFIG).
func APIKey(hash string) string { return "apikey:" + hash }

// RevokedKeys is the JSON list of revoked API key IDs of a tenant (CONFIG).
func RevokedKeys(tenant string) string { return "revoked-keys:" + tenant }

// User is a tenant admin's login record (CONFIG).
func User(tenant, email string) string { return "user:" + tenant + ":" + strings.ToLower(email) }

// Session is a tenant admin session (SESSIONS).
func Session(tenant, user, id string) string {
	return "session:" + tenant + ":" + strings.ToLower(user) + ":" + id
}

// SessionPrefix lists one admin's sessions.
func SessionPrefix(tenant, user string) string {
	return "session:" + tenant + ":" + strings.ToLower(user) + ":"
}

// TenantSessionPrefix lists all admin sessions of a tenant.
func TenantSessionPrefix(tenant string) string { return "session:" + tenant + ":" }

// LoginAttempts counts failed logins of one admin (SESSIONS).
func LoginAttempts(tenant, email string) string {
	return "attempts:login:" + tenant + ":" + strings.ToLower(email)
}

// RateLimit is a per-IP limiter bucket (SESSIONS).
func RateLimit(scope, ip string) string { return "ratelimit:" + scope + ":" + ip }

// OTP is a pending one-time sign-in code (SESSIONS).
func OTP(tenant, email string) string { return "otp:" + tenant + ":" + strings.ToLower(email) }

// MagicLink is a pending sign-in link (SESSIONS).
func MagicLink(token string) string { return "magic:" + token }

// Rollout is the rollout plan of an experiment (CONFIG).
func Rollout(tenant, exp string) string { return "rollout:" + tenant + ":" + exp }

// RolloutLock marks a rollout step in progress (CONFIG).
func RolloutLock(tenant, exp string) string { return "lock:rollout:" + tenant + ":" + exp }
