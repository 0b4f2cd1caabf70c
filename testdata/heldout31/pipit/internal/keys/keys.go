// Package keys builds key names and pre-configured writers by fixing one
// parameter at a time.
package keys

import (
	"context"
	"strings"
	"time"

	"example.com/pipit/internal/store"
)

// Sep separates the parts of a key.
const Sep = ":"

// Scoped fixes a namespace, then a kind, and returns a key builder:
//
//	key := keys.Scoped("tenant")("user")
//	key("42") // "tenant:user:42"
func Scoped(ns string) func(kind string) func(parts ...string) string {
	return func(kind string) func(parts ...string) string {
		head := ns + Sep + kind
		return func(parts ...string) string {
			if len(parts) == 0 {
				return head
			}
			return head + Sep + strings.Join(parts, Sep)
		}
	}
}

// PutFunc writes one value.
type PutFunc func(ctx context.Context, key string, value []byte) error

// Writer fixes a store, then a namespace, then a lifetime:
//
//	put := keys.Writer(kv)("loyalty")(24 * time.Hour)
//	put(ctx, "tier:123", b)
//
// A zero lifetime writes values that do not expire.
func Writer(kv store.KV) func(ns string) func(ttl time.Duration) PutFunc {
	return func(ns string) func(ttl time.Duration) PutFunc {
		return func(ttl time.Duration) PutFunc {
			return func(ctx context.Context, key string, value []byte) error {
				var opts []store.PutOption
				if ttl > 0 {
					opts = append(opts, store.WithTTL(ttl))
				}
				return kv.Put(ctx, ns+Sep+key, value, opts...)
			}
		}
	}
}

// Day renders t as a UTC day bucket for keys such as "quota:<property>:2025-06-01".
func Day(t time.Time) string { return t.UTC().Format(time.DateOnly) }
