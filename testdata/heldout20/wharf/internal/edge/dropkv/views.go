//go:build js && wasm

package dropkv

import (
	"errors"
	"maps"
	"slices"
	"strconv"
	"sync"

	"github.com/syumai/workers/cloudflare/kv"
)

// ViewTally counts drop-page views in the isolate and flushes them to KV
// from the scheduled task.
type ViewTally struct {
	ns *kv.Namespace

	mu      sync.Mutex
	pending map[string]int64
}

// NewViewTally returns an empty tally writing to ns.
func NewViewTally(ns *kv.Namespace) *ViewTally {
	return &ViewTally{ns: ns, pending: map[string]int64{}}
}

// Seen counts one view of a drop page.
func (v *ViewTally) Seen(drop string) {
	v.mu.Lock()
	v.pending[drop]++
	v.mu.Unlock()
}

// Flush writes the accumulated views, one key per drop.
func (v *ViewTally) Flush() error {
	v.mu.Lock()
	snapshot := maps.Clone(v.pending)
	v.mu.Unlock()

	var errs []error
	for _, drop := range slices.Sorted(maps.Keys(snapshot)) {
		n := snapshot[drop]
		if err := v.ns.PutString("drop:"+drop+":views", strconv.FormatInt(n, 10), &kv.PutOptions{ExpirationTTL: 86400}); err != nil { // EXPECT kvcounter
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
