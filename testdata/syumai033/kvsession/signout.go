package kvsession

import (
	"strings"

	"github.com/syumai/workers/cloudflare/kv"
)

// Signing a user out everywhere: the index lists the user's sessions, and
// each session is deleted under its own prefix, then its index entry.
func signOutEverywhere(ns *kv.Namespace, user string) error { // want signOutEverywhere:"kvsession"
	idx := "sessidx:" + user + ":"
	res, err := ns.List(&kv.ListOptions{Prefix: idx})
	if err != nil {
		return err
	}
	for _, k := range res.Keys {
		sid := strings.TrimPrefix(k.Name, idx)
		if err := ns.Delete("session:" + sid); err != nil { // want `A session revoked or consumed by a KV delete`
			return err
		}
		_ = ns.Delete(k.Name)
	}
	return nil
}
