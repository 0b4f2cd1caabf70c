// Package secs writes with a lifetime counted in seconds as an int64.
package secs

import "github.com/syumai/workers/cloudflare/kv"

// Put writes value under key for ttl seconds.
func Put(ns *kv.Namespace, key, value string, ttl int64) error {
	return ns.PutString(key, value, &kv.PutOptions{ExpirationTTL: int(ttl)})
}
