package kvlist

import (
	"github.com/syumai/workers/cloudflare/kv"

	"kvlint.test/syumai033/pipes"
)

// A stream source whose next function lists the page after the one it
// listed last: the stream runs it until the listing ends.
func streamKeys(ns *kv.Namespace, prefix string) pipes.Source[string] { // want streamKeys:"kvlist"
	cursor := ""
	return pipes.Generate(func() ([]string, bool, error) {
		res, err := ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor}) // want `unbounded listing`
		if err != nil {
			return nil, false, err
		}
		var names []string
		for _, k := range res.Keys {
			names = append(names, k.Name)
		}
		cursor = res.Cursor
		return names, !res.ListComplete, nil
	})
}

// Quiet: the next function counts its pages against a budget.
func streamSomeKeys(ns *kv.Namespace, prefix string, maxPages int) pipes.Source[string] {
	cursor, pages := "", 0
	return pipes.Generate(func() ([]string, bool, error) {
		res, err := ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor})
		if err != nil {
			return nil, false, err
		}
		var names []string
		for _, k := range res.Keys {
			names = append(names, k.Name)
		}
		pages++
		cursor = res.Cursor
		return names, !res.ListComplete && pages < maxPages, nil
	})
}
