package kvsession

import (
	"fmt"

	"github.com/syumai/workers/cloudflare/kv"
)

// Key layouts kept in one table, looked up by a kind: the constant that
// names the kind names the key.
type layout uint8

const (
	profileLayout layout = iota
	magicLinkLayout
)

var layouts = map[layout]string{profileLayout: "p/%s", magicLinkLayout: "m/%s"}

func buildKey(l layout, id string) string { return fmt.Sprintf(layouts[l], id) }

func readValue(ns *kv.Namespace, key string) (string, error) { return ns.GetString(key, nil) }

// take reads a key and deletes it: what it takes is the caller's to say.
func take(ns *kv.Namespace, key string) (string, error) { // want take:"kvsession judged inside"
	v, err := readValue(ns, key)
	if err != nil {
		return "", err
	}
	return v, ns.Delete(key)
}

func signInByLink(ns *kv.Namespace, code string) (string, error) { // want signInByLink:"^kvsession$" signInByLink:"kvsession judged inside"
	return take(ns, buildKey(magicLinkLayout, code)) // want `A magic link revoked or consumed by a KV delete`
}

// Quiet: a profile is no credential.
func dropProfile(ns *kv.Namespace, id string) (string, error) { // want dropProfile:"kvsession judged inside"
	return take(ns, buildKey(profileLayout, id))
}

// Quiet: the helper deletes a key it builds itself, which names no
// credential, whatever its callers are called.
func resetFailures(ns *kv.Namespace, email string) error { // want resetFailures:"kvsession judged inside"
	key := buildKey(profileLayout, email)
	if _, err := readValue(ns, key); err != nil {
		return err
	}
	return ns.Delete(key)
}

func checkPassword(ns *kv.Namespace, email string) error { // want checkPassword:"kvsession judged inside"
	return resetFailures(ns, email)
}
