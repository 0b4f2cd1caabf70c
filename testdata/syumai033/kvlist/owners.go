package kvlist

import (
	"strings"

	"github.com/syumai/workers/cloudflare/kv"
)

// Quiet: one get per distinct owner of the listed keys, remembered in a
// map, not one per key.
func activeOwners(ns *kv.Namespace, cursor string) (map[string]bool, string, error) {
	res, err := ns.List(&kv.ListOptions{Prefix: "receipt:", Cursor: cursor, Limit: 1000})
	if err != nil {
		return nil, "", err
	}
	known := map[string]bool{}
	for _, k := range res.Keys {
		owner, _, _ := strings.Cut(strings.TrimPrefix(k.Name, "receipt:"), ":")
		if _, seen := known[owner]; !seen {
			v, err := ns.GetString("shop:"+owner, nil)
			known[owner] = err == nil && v != "<null>"
		}
	}
	return known, res.Cursor, nil
}

// The same join without the map: a get per listed key.
func owners(ns *kv.Namespace, cursor string) ([]string, string, error) { // want owners:"kvlist"
	res, err := ns.List(&kv.ListOptions{Prefix: "receipt:", Cursor: cursor, Limit: 1000})
	if err != nil {
		return nil, "", err
	}
	var out []string
	for _, k := range res.Keys {
		owner, _, _ := strings.Cut(strings.TrimPrefix(k.Name, "receipt:"), ":")
		v, err := ns.GetString("shop:"+owner, nil) // want `one get per listed key \(N\+1\)`
		if err == nil {
			out = append(out, v)
		}
	}
	return out, res.Cursor, nil
}
