package kvx

import (
	"github.com/syumai/workers/cloudflare"
)

// Modify reads key, passes the current value (and whether it existed) to fn
// and stores what fn returns. Returning keep=false leaves the key untouched.
func Modify(ns *cloudflare.KVNamespace, key string, fn func(cur string, found bool) (next string, keep bool)) error {
	cur, found, err := Load(ns, key)
	if err != nil {
		return err
	}
	next, keep := fn(cur, found)
	if !keep {
		return nil
	}
	return ns.PutString(key, next, nil) // EXPECT kvrace
}
