// Package sdk pins github.com/syumai/workers v0.27.0, the last release with
// KV in package cloudflare, so this module's go.sum lists everything the
// analyzer tests load.
package sdk

import "github.com/syumai/workers/cloudflare"

// Put writes one value with a TTL, the shape the analyzer tests look at.
func Put(key, value string) error {
	ns, err := cloudflare.NewKVNamespace("CACHE")
	if err != nil {
		return err
	}
	return ns.PutString(key, value, &cloudflare.KVNamespacePutOptions{ExpirationTTL: 300})
}
