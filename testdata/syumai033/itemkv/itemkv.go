// Package itemkv writes items given as a variadic list, one put each.
package itemkv

import (
	"errors"

	"github.com/syumai/workers/cloudflare/kv"
)

type Item struct {
	Key   string
	Value string
}

// PutAll writes items, one at a time.
func PutAll(ns *kv.Namespace, items ...Item) error {
	var errs []error
	for _, it := range items {
		if err := ns.PutString(it.Key, it.Value, nil); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
