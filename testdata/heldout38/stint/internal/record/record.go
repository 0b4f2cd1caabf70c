// Package record defines what a value must provide to be stored in KV by the
// generic helpers of the adapter packages.
package record

import "time"

// Record is a value that knows where it lives and for how long.
// A TTL of zero means the value does not expire.
type Record interface {
	Key() string
	TTL() time.Duration
}
