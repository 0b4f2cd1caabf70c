// Package durations reads lifetimes written as text, as a service's
// settings are; it does not use KV.
package durations

import (
	"fmt"
	"time"
)

// Must parses s, or panics: for package variables set at start-up.
func Must(s string) time.Duration {
	d, err := time.ParseDuration(s)
	if err != nil {
		panic(fmt.Sprintf("durations: %q: %v", s, err))
	}
	return d
}

// Or parses s, or gives def when s is empty or not a duration.
func Or(s string, def time.Duration) time.Duration {
	d, err := time.ParseDuration(s)
	if err != nil {
		return def
	}
	return d
}
