//go:build js && wasm

package flags

import "github.com/syumai/workers/cloudflare/kv"

// KVSource reads flags from the CONFIG namespace. Flags change rarely, so
// reads are allowed to be served from the edge cache for five minutes.
type KVSource struct {
	ns *kv.Namespace
}

func NewKVSource(ns *kv.Namespace) *KVSource { return &KVSource{ns: ns} }

func (s *KVSource) Value(key string) (string, error) {
	return s.ns.GetString(key, &kv.GetOptions{CacheTTL: 300})
}
