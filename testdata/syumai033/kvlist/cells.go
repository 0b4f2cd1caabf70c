package kvlist

import "github.com/syumai/workers/cloudflare/kv"

// One list per cell, each used as all the cell's keys: a loop over cells
// pages nothing.
func nearby(ns *kv.Namespace, cells []string) ([]string, error) { // want nearby:"kvlist"
	var drivers []string
	for _, cell := range cells {
		res, err := ns.List(&kv.ListOptions{Prefix: "cell:" + cell + ":", Limit: 250}) // want `only the first page of this list is used`
		if err != nil {
			return nil, err
		}
		for _, k := range res.Keys {
			drivers = append(drivers, k.Name)
		}
	}
	return drivers, nil
}

// A loop that ends when the cursor is empty, by its length: the end of
// the listing, not an empty page.
func clearAll(ns *kv.Namespace) (int, error) { // want clearAll:"kvlist"
	n, cursor := 0, ""
	for {
		res, err := ns.List(&kv.ListOptions{Cursor: cursor}) // want `unbounded listing`
		if err != nil {
			return n, err
		}
		n += len(res.Keys)
		if len(res.Cursor) == 0 {
			return n, nil
		}
		cursor = res.Cursor
	}
}
