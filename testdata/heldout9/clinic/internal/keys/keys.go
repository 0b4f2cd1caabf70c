// Package keys centralises KV key prefixes so that listing by prefix and
// single-key access agree on the layout.
package keys

import "strings"

const (
	SessionPrefix  = "sess:"
	RefreshPrefix  = "rt:"
	RevokedPrefix  = "revoked:"
	DevicesPrefix  = "devices:"
	OTPPrefix      = "otp:"
	HoldPrefix     = "hold:"
	WaitlistPrefix = "wl:"
	ReminderPrefix = "reminder:"
	HoursPrefix    = "hours:"
	NoShowPrefix   = "noshow:"
	BookingPrefix  = "booking:"
	DraftPrefix    = "draft:"
)

// Builder assembles colon-separated keys. The zero value is usable.
type Builder struct {
	parts []string
}

// New starts a key in the given family, e.g. New("noshow").
func New(family string) Builder {
	return Builder{parts: []string{family}}
}

// With returns a copy of b with more segments appended.
func (b Builder) With(parts ...string) Builder {
	next := make([]string, 0, len(b.parts)+len(parts))
	next = append(next, b.parts...)
	next = append(next, parts...)
	return Builder{parts: next}
}

func (b Builder) String() string {
	return strings.Join(b.parts, ":")
}

// Prefix is the builder's key followed by a separator, for List calls.
func (b Builder) Prefix() string {
	return b.String() + ":"
}
