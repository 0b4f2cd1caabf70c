// Package keys holds the KV key prefixes shared between services so that
// the nightly jobs and the request handlers agree on the layout.
package keys

import (
	"slices"
	"strings"
)

const (
	Session   = "session:"
	Refresh   = "refresh:"
	Revoked   = "revoked:"
	Reset     = "pwreset:"
	Verify    = "verify:"
	Progress  = "progress:"
	Enrolment = "enrolment:"
	Roster    = "roster:"
	Course    = "course:"
	Cert      = "cert:"
)

// Builder joins key segments with ':'. It is a value type; Add returns a
// copy so a partially built key can be shared.
type Builder struct{ parts []string }

func New(root string) Builder { return Builder{parts: []string{root}} }

func (b Builder) Add(seg string) Builder {
	return Builder{parts: append(slices.Clip(b.parts), seg)}
}

func (b Builder) String() string { return strings.Join(b.parts, ":") }

// Prefix is the builder's key followed by the separator, for list calls.
func (b Builder) Prefix() string { return b.String() + ":" }
