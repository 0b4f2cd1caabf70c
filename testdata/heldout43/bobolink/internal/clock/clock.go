// Package clock provides the time source used by every component that computes
// expirations, plus helpers to read durations from the environment.
package clock

import (
	"strconv"
	"strings"
	"time"
)

// Clock is the injectable time source.
type Clock interface{ Now() time.Time }

// System reads the wall clock.
type System struct{}

// Now implements Clock.
func (System) Now() time.Time { return time.Now() }

// Lookup is the signature of os.Getenv and of the Worker's cloudflare.Getenv.
type Lookup func(string) string

// Duration reads name from env. It accepts Go duration syntax ("15m", "36h")
// or a bare number of seconds ("900"). Anything else yields def.
func Duration(env Lookup, name string, def time.Duration) time.Duration {
	raw := strings.TrimSpace(env(name))
	if raw == "" || raw == "undefined" {
		return def
	}
	if d, err := time.ParseDuration(raw); err == nil {
		return d
	}
	if n, err := strconv.Atoi(raw); err == nil {
		return time.Duration(n) * time.Second
	}
	return def
}

// Int reads an integer setting with a default.
func Int(env Lookup, name string, def int) int {
	raw := strings.TrimSpace(env(name))
	if raw == "" || raw == "undefined" {
		return def
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		return def
	}
	return n
}

// Until returns how long until deadline as seen by c.
func Until(c Clock, deadline time.Time) time.Duration {
	return deadline.Sub(c.Now())
}

// AtLeast returns d, or floor when d is shorter.
func AtLeast(d, floor time.Duration) time.Duration {
	if d < floor {
		return floor
	}
	return d
}
