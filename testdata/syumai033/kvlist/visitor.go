package kvlist

import (
	"errors"

	"github.com/syumai/workers/cloudflare/kv"
)

// errStopWalk ends a walk early.
var errStopWalk = errors.New("stop walk")

// walkKeys calls fn for every key under prefix, page after page, until fn
// returns errStopWalk: whether the walk is bounded is each caller's to say.
func walkKeys(ns *kv.Namespace, prefix string, fn func(key string) error) error { // want walkKeys:"kvlist iterator"
	cursor := ""
	for {
		res, err := ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor})
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			if err := fn(k.Name); err != nil {
				if errors.Is(err, errStopWalk) {
					return nil
				}
				return err
			}
		}
		if res.ListComplete {
			return nil
		}
		cursor = res.Cursor
	}
}

// A callback that never stops the walk: every page is listed.
func purgeDrafts(ns *kv.Namespace) error { // want purgeDrafts:"kvlist"
	return walkKeys(ns, "draft:", func(key string) error { // want `unbounded listing`
		return ns.Delete(key)
	})
}

// Quiet: the callback stops the walk after a budget of keys.
func firstDrafts(ns *kv.Namespace, max int) ([]string, error) {
	var out []string
	err := walkKeys(ns, "draft:", func(key string) error {
		if len(out) >= max {
			return errStopWalk
		}
		out = append(out, key)
		return nil
	})
	return out, err
}

// A walk whose callback's errors are only failures, passed on: nothing
// the callback says stops it, so the walk itself is unbounded.
func eachKey(ns *kv.Namespace, prefix string, fn func(key string) error) error { // want eachKey:"kvlist"
	cursor := ""
	for {
		res, err := ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor}) // want `unbounded listing`
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			if err := fn(k.Name); err != nil {
				return err
			}
		}
		if res.ListComplete {
			return nil
		}
		cursor = res.Cursor
	}
}
