package kvcounter

import (
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/syumai/workers/cloudflare/kv"
)

// updateKey reads key, hands its value to fn and writes back what fn
// returns. (Its own read and write back is kvrace's, inside it.)
func updateKey(ns *kv.Namespace, key string, fn func(cur []byte) ([]byte, error)) error {
	raw, err := ns.GetString(key, nil)
	if err != nil {
		return err
	}
	var cur []byte
	if raw != "<null>" {
		cur = []byte(raw)
	}
	next, err := fn(cur)
	if err != nil {
		return err
	}
	return ns.PutString(key, string(next), nil)
}

// The update function adds to the count it is handed.
func countCardView(ns *kv.Namespace, card string) error {
	return updateKey(ns, "cardviews:"+card, func(cur []byte) ([]byte, error) { // want `the update function given here adds to the count`
		n, _ := strconv.Atoi(string(cur))
		return []byte(strconv.Itoa(n + 1)), nil
	})
}

// Quiet: an update function that appends a name counts nothing.
func addWatcher(ns *kv.Namespace, card, user string) error {
	return updateKey(ns, "watchers:"+card, func(cur []byte) ([]byte, error) {
		names := strings.Fields(string(cur))
		return []byte(strings.Join(append(names, user), " ")), nil
	})
}

var servedSinceFlush atomic.Int64

// A count of views kept in an atomic, added to on each request, and its load
// written now and then: every isolate writes its own count.
func trackCardView(ns *kv.Namespace) {
	if servedSinceFlush.Add(1)%100 == 0 {
		total := servedSinceFlush.Load()
		_ = ns.PutString("stats:served", strconv.FormatInt(total, 10), nil) // want `a count kept in this process's memory`
	}
}

var lastDeploy atomic.Int64

// Quiet: an atomic that is only stored, never added to, is no count.
func publishDeploy(ns *kv.Namespace, at int64) {
	lastDeploy.Store(at)
	_ = ns.PutString("deploy:latest", strconv.FormatInt(lastDeploy.Load(), 10), nil)
}
