// Package sdk pins github.com/syumai/workers v0.33.0, where KV lives in
// package cloudflare/kv (with aliases left in package cloudflare), so this
// module's go.sum lists everything the analyzer tests load.
package sdk

import (
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"
)

// Put writes one value with a TTL, the shape the analyzer tests look at.
func Put(key, value string) error {
	ns, err := kv.NewNamespace("CACHE")
	if err != nil {
		return err
	}
	return ns.PutString(key, value, &kv.PutOptions{ExpirationTTL: 300})
}

// PutOld uses the aliases package cloudflare still carries.
func PutOld(key, value string) error {
	ns, err := cloudflare.NewKVNamespace("CACHE")
	if err != nil {
		return err
	}
	return ns.PutString(key, value, &cloudflare.KVNamespacePutOptions{ExpirationTTL: 300})
}
