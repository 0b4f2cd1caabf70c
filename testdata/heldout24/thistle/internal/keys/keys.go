// Package keys defines typed storage keys so that a key built for one record
// type cannot accidentally be used to load another.
package keys

import (
	"strings"
)

// Key is a typed key family. The zero value has an empty prefix and should
// not be used; construct keys with New.
type Key[T any] struct {
	prefix string
}

// New returns a key family rooted at prefix. A trailing "/" is added if
// missing so that families never overlap.
func New[T any](prefix string) Key[T] {
	if !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	return Key[T]{prefix: prefix}
}

// For returns the storage key of the record with the given id.
func (k Key[T]) For(id string) string { return k.prefix + id }

// ForParts joins the parts with "/" under the family prefix.
func (k Key[T]) ForParts(parts ...string) string {
	return k.prefix + strings.Join(parts, "/")
}

// Prefix returns the family prefix, suitable for listing.
func (k Key[T]) Prefix() string { return k.prefix }

// ID strips the family prefix from a full storage key.
func (k Key[T]) ID(full string) (string, bool) {
	return strings.CutPrefix(full, k.prefix)
}

// Sub returns a nested family, e.g. recipes/by-week/.
func (k Key[T]) Sub(seg string) Key[T] { return New[T](k.prefix + seg) }
