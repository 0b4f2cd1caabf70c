package kvsession

import (
	"errors"
	"strings"

	"github.com/syumai/workers/cloudflare/kv"
)

var errLinkUsed = errors.New("link expired or used")

// A magic link marked used by writing a tombstone over it, after a test
// of what was read: strings.HasPrefix says nothing of a miss, so the
// write overwrites a link that was there.
func acceptMagicLink(ns *kv.Namespace, token string) (string, error) { // want acceptMagicLink:"^kvsession$"
	rider, err := ns.GetString("magic:"+token, nil)
	if err != nil || rider == "<null>" || strings.HasPrefix(rider, "{") {
		return "", errLinkUsed
	}
	if err := ns.PutString("magic:"+token, `{"deleted":true}`, &kv.PutOptions{ExpirationTTL: 3600}); err != nil { // want `A magic link overwritten in KV`
		return "", err
	}
	return rider, nil
}
