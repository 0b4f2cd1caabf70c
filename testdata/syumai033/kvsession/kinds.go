package kvsession

import (
	"github.com/syumai/workers/cloudflare/kv"
)

type tokenKind int

const (
	sessionKind tokenKind = iota
	RefreshToken
)

func (k tokenKind) storageKey(secret string) string {
	return [...]string{"s", "r"}[k] + "/" + secret
}

// The key is held in a variable declared with the call that made it; the
// call names a refresh token.
func exchange(ns *kv.Namespace, refresh string) (string, error) { // want exchange:"kvsession"
	old := RefreshToken.storageKey(refresh)
	owner, err := ns.GetString(old, nil)
	if err != nil {
		return "", err
	}
	if err := ns.Delete(old); err != nil { // want `A refresh token revoked or consumed by a KV delete`
		return "", err
	}
	return owner, nil
}

type draftKind int

const Draft draftKind = 0

func (draftKind) storageKey(id string) string { return "d/" + id }

// Quiet: a draft's key, held the same way, names no credential.
func publish(ns *kv.Namespace, id string) error {
	old := Draft.storageKey(id)
	return ns.Delete(old)
}
