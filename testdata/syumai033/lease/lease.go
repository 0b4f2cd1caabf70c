// Package lease keeps cron leases in KV, for kvsession's look-alike
// negatives: a lease named after a job is no credential.
package lease

import (
	"fmt"

	"github.com/syumai/workers/cloudflare/kv"
)

// Release gives the named lease back.
func Release(ns *kv.Namespace, format, name string) error {
	return ns.Delete(fmt.Sprintf(format, name))
}
