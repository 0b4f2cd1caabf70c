package kvstore

import (
	"fmt"
	"time"
)

// MustDuration parses s with time.ParseDuration and panics when it is
// malformed. Defaults are written as strings so that they read the same way
// as the overrides operators put in wrangler.toml or the environment.
func MustDuration(s string) time.Duration {
	d, err := time.ParseDuration(s)
	if err != nil {
		panic(fmt.Sprintf("kvstore: bad duration %q: %v", s, err))
	}
	return d
}

// DurationOr parses s and returns def when s is empty or malformed.
func DurationOr(s string, def time.Duration) time.Duration {
	if s == "" {
		return def
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return def
	}
	return d
}
