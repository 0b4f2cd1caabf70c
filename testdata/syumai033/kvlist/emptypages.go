package kvlist

import "github.com/syumai/workers/cloudflare/kv"

// Pages while the last page had keys: the same stop at the first empty
// page, written as the loop's condition.
func countWhileKeys(ns *kv.Namespace, prefix string) (int, error) { // want countWhileKeys:"kvlist"
	res, err := ns.List(&kv.ListOptions{Prefix: prefix, Limit: 1000})
	if err != nil {
		return 0, err
	}
	n := len(res.Keys)
	for len(res.Keys) > 0 {
		res, err = ns.List(&kv.ListOptions{Prefix: prefix, Cursor: res.Cursor}) // want `stops at the first empty page`
		if err != nil {
			return 0, err
		}
		n += len(res.Keys)
	}
	return n, nil
}

// And with the operands the other way round.
func collectWhileKeys(ns *kv.Namespace, prefix string) ([]string, error) { // want collectWhileKeys:"kvlist"
	var keys []string
	cursor := ""
	for {
		res, err := ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor}) // want `stops at the first empty page`
		if err != nil {
			return nil, err
		}
		for _, k := range res.Keys {
			keys = append(keys, k.Name)
		}
		if !(0 < len(res.Keys)) || res.ListComplete {
			return keys, nil
		}
		cursor = res.Cursor
	}
}
