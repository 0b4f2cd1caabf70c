// Package keys defines the key layout shared by every service that touches
// the fleet's KV namespaces.
package keys

import (
	"strings"
)

// Kind identifies a family of keys.
type Kind int

const (
	Device Kind = iota
	EnrollCode
	EnrollBatch
	EnrollAttempts
	LastSeen
	TenantConfig
	Slug
	Audit
	OperatorIndex
)

// Prefix returns the first path segment for keys of kind k.
func (k Kind) Prefix() string {
	switch k {
	case Device:
		return "device"
	case EnrollCode:
		return "enroll"
	case EnrollBatch:
		return "enroll-batch"
	case EnrollAttempts:
		return "enroll-attempts"
	case LastSeen:
		return "lastseen"
	case TenantConfig:
		return "tenant"
	case Slug:
		return "slug"
	case Audit:
		return "audit"
	case OperatorIndex:
		return "opidx"
	}
	return "misc"
}

// Key joins the prefix of k and parts with "/".
func (k Kind) Key(parts ...string) string {
	return strings.Join(append([]string{k.Prefix()}, parts...), "/")
}

// Scan returns the listing prefix for keys of kind k under parts. It always
// ends in "/" so that "acme" does not match "acme-labs".
func (k Kind) Scan(parts ...string) string {
	return k.Key(parts...) + "/"
}
