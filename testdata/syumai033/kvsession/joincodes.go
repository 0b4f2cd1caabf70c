package kvsession

import "github.com/syumai/workers/cloudflare/kv"

// A room's join code, read and then deleted once a player joins with it:
// it still admits at other locations until the delete reaches them.
func joinRoom(ns *kv.Namespace, code, room string) (bool, error) { // want joinRoom:"kvsession"
	key := "joincode:" + code
	held, err := ns.GetString(key, nil)
	if err != nil || held != room {
		return false, err
	}
	return true, ns.Delete(key) // want `A join code revoked or consumed by a KV delete`
}
