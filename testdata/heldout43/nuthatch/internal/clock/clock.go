// Package clock provides an injectable time source and helpers for reading
// durations from configuration.
package clock

import (
	"strconv"
	"strings"
	"time"
)

// Clock is the time source used by every component that computes deadlines.
type Clock interface {
	Now() time.Time
}

// Real reads the system clock.
type Real struct{}

// Now returns time.Now().
func (Real) Now() time.Time { return time.Now() }

// Fixed always returns the same instant. Used for replaying queue batches with
// the batch timestamp.
type Fixed time.Time

// Now returns the fixed instant.
func (f Fixed) Now() time.Time { return time.Time(f) }

// Until returns the duration from c.Now() to t.
func Until(c Clock, t time.Time) time.Duration { return t.Sub(c.Now()) }

// Getenv looks up a configuration value by name.
type Getenv func(string) string

// Duration reads a duration setting. It accepts Go duration syntax ("90s",
// "12h") or a bare number of seconds, and falls back to def when the value is
// missing or malformed.
func Duration(getenv Getenv, name string, def time.Duration) time.Duration {
	raw := strings.TrimSpace(getenv(name))
	if raw == "" {
		return def
	}
	if d, err := time.ParseDuration(raw); err == nil && d > 0 {
		return d
	}
	if n, err := strconv.Atoi(raw); err == nil && n > 0 {
		return time.Duration(n) * time.Second
	}
	return def
}

// Int reads an integer setting with a default.
func Int(getenv Getenv, name string, def int) int {
	raw := strings.TrimSpace(getenv(name))
	if raw == "" {
		return def
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n <= 0 {
		return def
	}
	return n
}
