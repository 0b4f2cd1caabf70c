// Package bindkv hands out closures bound to one key of a Workers KV
// binding: a getter and a setter made together.
package bindkv

import (
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// Bind returns a getter and a setter for key in the binding named ns.
func Bind(ns, key string) (get func() (string, error), set func(v string, ttl time.Duration) error) {
	get = func() (string, error) {
		n, err := kv.NewNamespace(ns)
		if err != nil {
			return "", err
		}
		return n.GetString(key, nil)
	}
	set = func(v string, ttl time.Duration) error {
		n, err := kv.NewNamespace(ns)
		if err != nil {
			return err
		}
		return n.PutString(key, v, &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
	}
	return get, set
}

// Setter returns a setter for the keys under prefix.
func Setter(ns, prefix string) func(id, v string) error {
	return func(id, v string) error {
		n, err := kv.NewNamespace(ns)
		if err != nil {
			return err
		}
		return n.PutString(prefix+id, v, nil)
	}
}
