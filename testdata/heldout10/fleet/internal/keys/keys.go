// Package keys centralises KV key layout so that services and the operator
// CLI agree on it.
package keys

import (
	"strings"
)

// Prefixes. Keep these short: every byte counts against the 512-byte key limit.
const (
	Device        = "dev:"
	ProvisionTok  = "ptok:"
	Serial        = "serial:"
	Shadow        = "shadow:"
	Rollout       = "ro:"
	OperatorSess  = "opsess:"
	RefreshTok    = "oprt:"
	Revoked       = "revoked:"
	AlertRule     = "alert/rule/"
	AlertState    = "alert/state/"
	ExportJob     = "export:"
	TelemetryHour = "tm:h:"
)

// FirmwareRoot is where the firmware tree's top-level manifest lives; channel
// manifests hang off it as "./stable", "./beta".
const FirmwareRoot = "."

// Builder assembles slash-separated keys.
type Builder struct {
	parts []string
}

func New(root string) *Builder { return &Builder{parts: []string{root}} }

func (b *Builder) Add(p ...string) *Builder {
	b.parts = append(b.parts, p...)
	return b
}

func (b *Builder) String() string { return strings.Join(b.parts, "/") }
