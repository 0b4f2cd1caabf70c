// Package plans holds quota windows by plan. It does not use KV.
package plans

import "time"

type Plan int

const (
	Free Plan = iota
	Growth
)

// Window is the length of a plan's quota window.
func (p Plan) Window() time.Duration {
	switch p {
	case Growth:
		return 6 * time.Hour
	default:
		return 24 * time.Hour
	}
}
