package kvsession

import "github.com/syumai/workers/cloudflare/kv"

type grantKind string

const (
	accessGrant  grantKind = "access"
	refreshGrant grantKind = "refresh"
)

// A key helper that picks the prefix by the kind of token: each way names
// a token.
func entryKeyFor(kind grantKind, hash string) string {
	if kind == refreshGrant {
		return "rt:" + hash
	}
	return "tok:" + hash
}

func dropEntry(ns *kv.Namespace, kind grantKind, hash string) error { // want dropEntry:"kvsession"
	return ns.Delete(entryKeyFor(kind, hash)) // want `A token revoked or consumed by a KV delete`
}

// Quiet: a cache key picked the same way names no credential.
func assetKey(kind grantKind, id string) string {
	if kind == refreshGrant {
		return "page:" + id
	}
	return "img:" + id
}

func evictAsset(ns *kv.Namespace, kind grantKind, id string) error {
	return ns.Delete(assetKey(kind, id))
}
