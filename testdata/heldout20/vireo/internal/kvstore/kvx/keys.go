// Package kvx holds small helpers layered over the kvstore port: key
// builders, JSON and binary codecs, and typed load/save functions.
package kvx

import (
	"net/url"
	"strings"
)

// Keyer builds keys under a fixed prefix. Each part is path-escaped so that
// user-supplied identifiers cannot introduce separators.
type Keyer func(parts ...string) string

// Prefixed returns a Keyer for prefix.
func Prefixed(prefix string) Keyer {
	return func(parts ...string) string {
		escaped := make([]string, len(parts))
		for i, p := range parts {
			escaped[i] = url.PathEscape(p)
		}
		return prefix + strings.Join(escaped, ":")
	}
}

// Prefix returns the listing prefix that covers every key built from the
// given leading parts.
func (k Keyer) Prefix(parts ...string) string {
	return k(parts...) + ":"
}
