// Package policy holds how long each kind of record is kept.
package policy

import "time"

// Kind classifies a stored record.
type Kind int

const (
	KindUnknown Kind = iota
	KindInvite
	KindDevice
	KindFlagSnapshot
	KindEvalCache
	KindAuditBatch
	KindPrefs
	KindInsights
)

// retention is how long each kind lives in storage.
var retention = map[Kind]time.Duration{
	KindInvite:       7 * 24 * time.Hour,
	KindDevice:       180 * 24 * time.Hour,
	KindFlagSnapshot: 10 * time.Minute,
	KindEvalCache:    15 * time.Second, // EXPECT kvttl
	KindAuditBatch:   90 * 24 * time.Hour,
	KindPrefs:        90 * 24 * time.Hour,
	KindInsights:     30 * time.Minute,
}

// TTL is the default retention of k.
func (k Kind) TTL() time.Duration { return retention[k] }
