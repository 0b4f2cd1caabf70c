// Package webconf stands for a web server's configuration library, whose
// Duration reads "10m" from a config file and counts nanoseconds.
package webconf

import "time"

// Duration is a time.Duration with a text form.
type Duration time.Duration
