package kvlist

import (
	"strings"

	"github.com/syumai/workers/cloudflare/kv"
)

// Pages followed by recursion, until the listing ends.
func namesFrom(ns *kv.Namespace, prefix, cursor string) ([]string, error) { // want namesFrom:"kvlist"
	res, err := ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor}) // want `unbounded listing`
	if err != nil {
		return nil, err
	}
	var names []string
	for _, k := range res.Keys {
		names = append(names, k.Name)
	}
	if res.ListComplete {
		return names, nil
	}
	rest, err := namesFrom(ns, prefix, res.Cursor)
	return append(names, rest...), err
}

// Quiet: each call spends one page of a budget it counts down.
func namesWithin(ns *kv.Namespace, prefix, cursor string, pagesLeft int) ([]string, error) {
	if pagesLeft <= 0 {
		return nil, nil
	}
	res, err := ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor})
	if err != nil {
		return nil, err
	}
	var names []string
	for _, k := range res.Keys {
		names = append(names, k.Name)
	}
	if res.ListComplete {
		return names, nil
	}
	rest, err := namesWithin(ns, prefix, res.Cursor, pagesLeft-1)
	return append(names, rest...), err
}

type folder struct {
	prefix    string
	keys      []string
	children  []*folder
	truncated bool // more keys than one page
}

// Quiet: a walk down a tree of prefixes, one bounded page per folder,
// passes on the folders it found, not a cursor.
func tree(ns *kv.Namespace, prefix string) (*folder, error) {
	res, err := ns.List(&kv.ListOptions{Prefix: prefix, Limit: 100})
	if err != nil {
		return nil, err
	}
	f := &folder{prefix: prefix, truncated: !res.ListComplete}
	seen := map[string]bool{}
	for _, k := range res.Keys {
		dir, _, nested := strings.Cut(strings.TrimPrefix(k.Name, prefix), "/")
		if !nested {
			f.keys = append(f.keys, k.Name)
			continue
		}
		if seen[dir] {
			continue
		}
		seen[dir] = true
		child, err := tree(ns, prefix+dir+"/")
		if err != nil {
			return f, err
		}
		f.children = append(f.children, child)
	}
	return f, nil
}

// The first page is asked for with the prefix; the recursion passes on
// only the cursor, and later pages are of the whole namespace.
func archivedPages(ns *kv.Namespace, prefix string, opts *kv.ListOptions, depth int) ([]string, error) { // want archivedPages:"kvlist"
	if depth > 10 {
		return nil, nil
	}
	res, err := ns.List(opts) // want `this list passes a cursor but leaves out the Prefix`
	if err != nil {
		return nil, err
	}
	var out []string
	for _, k := range res.Keys {
		out = append(out, k.Name)
	}
	if res.ListComplete {
		return out, nil
	}
	more, err := archivedPages(ns, prefix, &kv.ListOptions{Cursor: res.Cursor}, depth+1)
	return append(out, more...), err
}

func archiveOf(ns *kv.Namespace, owner string) ([]string, error) {
	prefix := "archive:" + owner + ":"
	return archivedPages(ns, prefix, &kv.ListOptions{Prefix: prefix, Limit: 1000}, 0)
}

// Quiet: the recursion passes the prefix on with the cursor.
func archivedWithPrefix(ns *kv.Namespace, prefix string, opts *kv.ListOptions, depth int) ([]string, error) {
	if depth > 10 {
		return nil, nil
	}
	res, err := ns.List(opts)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, k := range res.Keys {
		out = append(out, k.Name)
	}
	if res.ListComplete {
		return out, nil
	}
	more, err := archivedWithPrefix(ns, prefix, &kv.ListOptions{Prefix: prefix, Cursor: res.Cursor}, depth+1)
	return append(out, more...), err
}
