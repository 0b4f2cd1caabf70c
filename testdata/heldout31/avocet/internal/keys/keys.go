// Package keys builds storage keys. Helpers return closures so that a
// namespace, then a kind, can be fixed once and reused.
package keys

import (
	"strings"
	"time"
)

const Sep = ":"

// Scoped fixes a namespace, then a kind: keys.Scoped("edge")("sess")(id).
func Scoped(ns string) func(kind string) func(id ...string) string {
	return func(kind string) func(...string) string {
		base := ns + Sep + kind
		return func(id ...string) string {
			if len(id) == 0 {
				return base
			}
			return base + Sep + strings.Join(id, Sep)
		}
	}
}

// Day is the UTC day bucket used in analytics keys.
func Day(t time.Time) string { return t.UTC().Format("2006-01-02") }

// Month is the UTC month bucket used in quota keys.
func Month(t time.Time) string { return t.UTC().Format("2006-01") }

func Join(parts ...string) string { return strings.Join(parts, Sep) }
