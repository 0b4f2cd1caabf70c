package kvlist

import (
	"github.com/samber/lo"
	"github.com/syumai/workers/cloudflare/kv"
)

// One page of values, fetched one get per key inside lo.Map's callback.
func pageValues(ns *kv.Namespace, prefix, cursor string) ([]string, string, error) { // want pageValues:"kvlist"
	res, err := ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor, Limit: 100})
	if err != nil {
		return nil, "", err
	}
	vals := lo.Map(res.Keys, func(k *kv.ListKey, _ int) string {
		v, _ := ns.GetString(k.Name, nil) // want `one get per listed key`
		return v
	})
	return vals, res.Cursor, nil
}

// Quiet: the names of one page, with its cursor.
func pageNames(ns *kv.Namespace, prefix, cursor string) ([]string, string, error) {
	res, err := ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor, Limit: 100})
	if err != nil {
		return nil, "", err
	}
	return lo.Map(res.Keys, func(k *kv.ListKey, _ int) string { return k.Name }), res.Cursor, nil
}

// Quiet: a get per id the caller names, none of them listed.
func valuesOf(ns *kv.Namespace, ids []string) []string {
	return lo.Map(ids, func(id string, _ int) string {
		v, _ := ns.GetString("item:"+id, nil)
		return v
	})
}
