//go:build js && wasm

// Package edge is the dunnock edge Worker: it serves RSS feeds, resolves
// signed download links and records plays, all against Workers KV through
// the syumai/workers binding.
package edge

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// nullValue is what the binding's GetString yields for a missing key.
const nullValue = "<null>"

func missing(v string) bool { return v == nullValue }

// entry is one write to the edge namespace; ttl is in seconds.
type entry struct {
	key string
	val string
	ttl int
}

func put(ns *kv.Namespace, e entry) error {
	var opts *kv.PutOptions
	if e.ttl > 0 {
		opts = &kv.PutOptions{ExpirationTTL: e.ttl}
	}
	return ns.PutString(e.key, e.val, opts)
}

// putFor writes val under key for d.
func putFor(ns *kv.Namespace, key, val string, d time.Duration) error {
	return ns.PutString(key, val, &kv.PutOptions{ExpirationTTL: int(d.Seconds())})
}

// cacheFor writes a cache entry for d, at least a minute.
func cacheFor(ns *kv.Namespace, key, val string, d time.Duration) error {
	return putFor(ns, key, val, max(d, time.Minute))
}

// getJSON reads key into v and reports whether it existed.
func getJSON(ns *kv.Namespace, key string, v any) (bool, error) {
	raw, err := ns.GetString(key, nil)
	if err != nil {
		return false, err
	}
	if missing(raw) {
		return false, nil
	}
	return true, json.Unmarshal([]byte(raw), v)
}

// getInt reads an integer value; a missing key reads as zero.
func getInt(ns *kv.Namespace, key string) (int, error) {
	raw, err := ns.GetString(key, nil)
	if err != nil || missing(raw) {
		return 0, err
	}
	return strconv.Atoi(raw)
}

// safely runs fn and turns a panic from the JS bridge into an error.
func safely(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("edge: recovered: %v", r)
		}
	}()
	return fn()
}
