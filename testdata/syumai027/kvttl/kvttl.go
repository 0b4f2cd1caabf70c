// Package kvttl holds kvttl's cases for github.com/syumai/workers v0.27,
// where KV lives in package cloudflare.
package kvttl

import (
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
)

const sessionTTL = 30 * 60

func put(key, v string) error {
	ns, err := cloudflare.NewKVNamespace("SESSIONS")
	if err != nil {
		return err
	}
	if err := ns.PutString(key, v, &cloudflare.KVNamespacePutOptions{ExpirationTTL: sessionTTL}); err != nil {
		return err
	}
	opts := &cloudflare.KVNamespacePutOptions{}
	opts.ExpirationTTL = 30 // want `ExpirationTTL 30 is below KV's 60-second minimum`
	if err := ns.PutReader(key, strings.NewReader(v), opts); err != nil {
		return err
	}
	return ns.PutString(key, v, &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(time.Hour)}) // want `converts a time.Duration to nanoseconds`
}

func get(key string) (string, error) {
	ns, err := cloudflare.NewKVNamespace("SESSIONS")
	if err != nil {
		return "", err
	}
	if _, err := ns.GetReader(key, &cloudflare.KVNamespaceGetOptions{CacheTTL: 60}); err != nil {
		return "", err
	}
	return ns.GetString(key, &cloudflare.KVNamespaceGetOptions{CacheTTL: 5}) // want `CacheTTL 5 is below the runtime's 30-second minimum`
}

// Options shared by every put, set once in a package variable.
var defaultPut = &cloudflare.KVNamespacePutOptions{ExpirationTTL: 20} // want `ExpirationTTL 20 is below`

func putDefault(ns *cloudflare.KVNamespace, key, v string) error {
	return ns.PutString(key, v, defaultPut)
}
