// Package catalog names the kinds of data the fleet keeps in KV and the
// per-kind conventions: key prefix, lifetime and listing page size.
package catalog

import "time"

// Kind is a family of keys in the fleet namespace.
type Kind int

const (
	KindDeviceConfig Kind = iota
	KindFirmwareFlag
	KindPairing
	KindDeviceToken
	KindTelemetry
	KindExport
	KindAudit
)

// Prefix is the first key segment for the kind.
func (k Kind) Prefix() string {
	switch k {
	case KindDeviceConfig:
		return "cfg"
	case KindFirmwareFlag:
		return "fw"
	case KindPairing:
		return "pairing"
	case KindDeviceToken:
		return "token"
	case KindTelemetry:
		return "tm"
	case KindExport:
		return "exp"
	}
	return ""
}

// TTL is the lifetime of a value of the kind; zero means no expiry.
func (k Kind) TTL() time.Duration {
	switch k {
	case KindDeviceConfig:
		return 24 * time.Hour
	case KindFirmwareFlag:
		return 0
	case KindPairing:
		return 10 * time.Minute
	case KindDeviceToken:
		return 30 * 24 * time.Hour
	case KindTelemetry:
		return 30 * time.Second
	case KindExport:
		return 7 * 24 * time.Hour
	default:
		return time.Hour
	}
}

// Limit is the page size used when listing keys of the kind.
func (k Kind) Limit() int {
	switch k {
	case KindTelemetry, KindAudit:
		return 500
	case KindExport:
		return 2000
	default:
		return 1000
	}
}
