// Package timing parses the durations the services are configured with.
// They are written as strings so that they read the same in code, in
// flags and in the runbook.
package timing

import (
	"fmt"
	"time"
)

// MustDuration parses s or panics; it is meant for package variables and
// constructor defaults evaluated at start-up.
func MustDuration(s string) time.Duration {
	d, err := time.ParseDuration(s)
	if err != nil {
		panic(fmt.Sprintf("timing: bad duration %q: %v", s, err))
	}
	return d
}

// Day is the bucket width used by analytics keys.
const Day = "20060102"

// Minute is the bucket width used by raw hit keys.
const Minute = "200601021504"
