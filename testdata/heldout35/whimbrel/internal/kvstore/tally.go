//go:build js && wasm

package kvstore

import (
	"strconv"

	"github.com/syumai/workers/cloudflare/kv"
)

// NewTally returns an increment function and a read function for a named
// per-day statistic kept in ns.
func NewTally(ns *kv.Namespace, name string) (inc func(day string) error, read func(day string) (int, error)) {
	keyFor := func(day string) string { return "tally/" + name + "/" + day }
	read = func(day string) (int, error) {
		v, err := ns.GetString(keyFor(day), nil)
		if err != nil {
			return 0, err
		}
		if v == missing {
			return 0, nil
		}
		return strconv.Atoi(v)
	}
	inc = func(day string) error {
		n, err := read(day)
		if err != nil {
			return err
		}
		return ns.PutString(keyFor(day), strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: 8 * 86400}) // EXPECT kvcounter
	}
	return inc, read
}
