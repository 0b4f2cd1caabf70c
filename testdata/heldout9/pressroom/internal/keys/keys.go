// Package keys centralises the KV key layout so that handlers, jobs and
// migrations agree on it.
package keys

import (
	"fmt"
	"strings"
)

// Prefixes shared by several packages.
const (
	Session     = "sess:"
	OptIn       = "optin:"
	Unsubscribe = "unsub:"
	Campaign    = "campaign:"
	Scheduled   = "scheduled:"
	Issue       = "issue:"
	Render      = "render:"
	Timeline    = "timeline:"
	Delivery    = "delivery:"
	Stats       = "stats:"
)

// Single keys.
const (
	CronLastRun = "cron:last-run"
	LastRequest = "health:last-request"
	LatestEvent = "events:latest"
	QueuePaused = "queue:paused"
)

// Tenant scopes keys to one publication.
type Tenant string

// Subscriber is the record of one address on a tenant's list.
func (t Tenant) Subscriber(email string) string {
	return "sub:" + string(t) + ":" + strings.ToLower(strings.TrimSpace(email))
}

// Subscribers is the prefix under which all of a tenant's subscribers live.
func (t Tenant) Subscribers() string { return "sub:" + string(t) + ":" }

// Tags holds the comma-separated tags of one subscriber.
func (t Tenant) Tags(email string) string {
	return strings.Join([]string{"tags", string(t), strings.ToLower(email)}, ":")
}

// Settings is the tenant's settings document.
func (t Tenant) Settings() string {
	return strings.Join([]string{"tenant", string(t), "settings"}, ":")
}

// Footer is the tenant's HTML footer snippet.
func (t Tenant) Footer() string { return "footer:" + string(t) }

// Quota is the tenant's monthly send allowance bucket.
func (t Tenant) Quota(month string) string {
	return fmt.Sprintf("quota:%s:%s", t, month)
}

// Builder assembles colon-separated keys from parts.
type Builder struct{ parts []string }

// New starts a key with a namespace part.
func New(ns string) Builder { return Builder{parts: []string{ns}} }

// With returns a copy of b with more parts appended.
func (b Builder) With(parts ...string) Builder {
	out := make([]string, 0, len(b.parts)+len(parts))
	out = append(out, b.parts...)
	out = append(out, parts...)
	return Builder{parts: out}
}

func (b Builder) String() string { return strings.Join(b.parts, ":") }
