package kvstore

import (
	"context"
	"strings"
	"time"
)

const sep = ":"

// Key joins key segments with the separator used across all namespaces.
func Key(parts ...string) string {
	return strings.Join(parts, sep)
}

// Prefixed returns a key builder that puts prefix in front of its parts.
func Prefixed(prefix string) func(parts ...string) string {
	return func(parts ...string) string {
		return Key(append([]string{prefix}, parts...)...)
	}
}

// Bind returns a getter and a setter for one key.
func Bind(ns, key string) (get func(context.Context) ([]byte, error), set func(context.Context, []byte, time.Duration) error) {
	get = func(ctx context.Context) ([]byte, error) {
		return GetBytes(ctx, ns, key)
	}
	set = func(ctx context.Context, v []byte, ttl time.Duration) error {
		return PutBytes(ctx, ns, key, v, ttl)
	}
	return get, set
}
