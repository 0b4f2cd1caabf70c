package kvhotkey

import (
	"crypto/rand"
	"encoding/hex"
	"sync"

	"github.com/syumai/workers/cloudflare/kv"
)

// newCode draws a fresh one-time code.
func newCode() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Quiet: each task draws its own code for its key.
func issueCodes(ns *kv.Namespace, n int) {
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() { _ = ns.PutString("code:"+newCode(), "1", nil) })
	}
	wg.Wait()
}

// Quiet: the closure draws its key on each call.
func issueMore(ns *kv.Namespace, n int) {
	issue := func() error { return ns.PutString("code:"+newCode(), "1", nil) }
	for range n {
		_ = issue()
	}
}

// Each task writes the batch's marker.
func issueMarked(ns *kv.Namespace, n int) { // want issueMarked:"kvhotkey"
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			_ = ns.PutString("code:"+newCode(), "1", nil)
			_ = ns.PutString("codes:last-issued", "1", nil) // want `this loop writes the same KV key on every iteration`
		})
	}
	wg.Wait()
}
