//go:build js && wasm

package flags

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// snapshotKey holds all flags in one value; the admin tool publishes it
// from CI after a flag change is merged.
const snapshotKey = "flags/snapshot"

// ErrNoSnapshot means nothing has been published yet.
var ErrNoSnapshot = errors.New("flags: no snapshot published")

// Snapshot is the document edge SDKs download at start-up.
type Snapshot struct {
	Rev   string          `json:"rev"`
	Built time.Time       `json:"built"`
	Flags map[string]Flag `json:"flags"`
}

// SnapshotReader serves the published snapshot.
type SnapshotReader struct {
	ns *kv.Namespace
}

// NewSnapshotReader reads from the main namespace.
func NewSnapshotReader(ns *kv.Namespace) *SnapshotReader { return &SnapshotReader{ns: ns} }

// Load returns the current snapshot. Edge SDKs poll it, so reads are cached
// at the edge briefly to soak up bursts.
func (r *SnapshotReader) Load() (Snapshot, error) {
	raw, err := r.ns.GetString(snapshotKey, &kv.GetOptions{
		CacheTTL: 10, // EXPECT kvttl
	})
	if err != nil {
		return Snapshot{}, err
	}
	if raw != "" { // EXPECT kvnull
		var s Snapshot
		return s, json.Unmarshal([]byte(raw), &s)
	}
	return Snapshot{}, ErrNoSnapshot
}
