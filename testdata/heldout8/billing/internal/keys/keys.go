// Package keys is the single place KV key layouts are defined. Keep the
// namespaces short: every byte of a key counts against KV's 512-byte limit.
package keys

import "strings"

// Namespaces (first key segment).
const (
	Sessions     = "sess"
	MagicLinks   = "magic"
	Revoked      = "revoked"
	Quota        = "quota"
	Usage        = "usage"
	Entitlements = "ent"
	Invoices     = "inv"
	Webhooks     = "whk"
	Snapshots    = "snap"
	Jobs         = "jobs"
	Customers    = "cust"
	RateLimit    = "rl"
)

// Well-known single keys.
const (
	APILastRequest      = "api:last-request"
	WebhookLastReceived = "whk:last-received"
	SnapshotProgress    = "snap:progress"
	MeterOffset         = "usage:meter:offset"
)

const sep = ":"

// Key is an immutable key under construction.
type Key struct {
	parts []string
}

// New starts a key in namespace ns.
func New(ns string, parts ...string) Key {
	return Key{parts: append([]string{ns}, parts...)}
}

// Child returns a copy of k with more segments appended.
func (k Key) Child(parts ...string) Key {
	out := make([]string, 0, len(k.parts)+len(parts))
	out = append(out, k.parts...)
	return Key{parts: append(out, parts...)}
}

// String renders the key.
func (k Key) String() string { return strings.Join(k.parts, sep) }

// Prefix renders the key with a trailing separator, for listing.
func (k Key) Prefix() string { return k.String() + sep }

// Prefix returns "ns:".
func Prefix(ns string) string { return ns + sep }
