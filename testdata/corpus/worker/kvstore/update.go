package kvstore

import "github.com/syumai/workers/cloudflare/kv"

// Update applies fn to the current value of key and stores the result.
// A missing key is passed to fn as "".
func Update(ns *kv.Namespace, key string, fn func(old string) (string, error)) error {
	old, err := ns.GetString(key, nil)
	if err != nil {
		return err
	}
	if old == "<null>" {
		old = ""
	}
	next, err := fn(old)
	if err != nil {
		return err
	}
	if next == old {
		return nil
	}
	return ns.PutString(key, next, nil) // EXPECT kvrace
}
