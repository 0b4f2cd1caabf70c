package kvlist

import (
	"iter"

	"github.com/syumai/workers/cloudflare/kv"

	"kvlint.test/syumai033/cursors"
)

// Pull-style cursors: a budget kept in the cursor bounds the caller's
// loop; one with none does not.

func classesDue(ns *kv.Namespace, teacher string) []string {
	c := cursors.Keys(ns, "teacher:"+teacher+":", 500)
	var out []string
	for c.Next() {
		out = append(out, c.Key())
	}
	return out
}

// A cursor of this package that keeps no budget: its position in the
// page is no bound.
type pageCursor struct {
	ns     *kv.Namespace
	prefix string
	cursor string
	page   []*kv.ListKey
	i      int
	done   bool
}

func (c *pageCursor) Next() bool {
	c.i++
	for c.i >= len(c.page) {
		if c.done {
			return false
		}
		res, err := c.ns.List(&kv.ListOptions{Prefix: c.prefix, Cursor: c.cursor})
		if err != nil {
			return false
		}
		c.page, c.cursor, c.done, c.i = res.Keys, res.Cursor, res.ListComplete, 0
	}
	return true
}

func (c *pageCursor) Key() string { return c.page[c.i].Name }

func allDevices(ns *kv.Namespace, model string) []string { // want allDevices:"kvlist"
	c := &pageCursor{ns: ns, prefix: "fw:" + model + ":", i: -1}
	var out []string
	for c.Next() { // want `unbounded listing`
		out = append(out, c.Key())
	}
	return out
}

// A cursor loop inside a loop over sites: the sites bound the outer loop,
// not the walk of each site's keys.
func releaseSites(ns *kv.Namespace, sites []string) error { // want releaseSites:"kvlist"
	for _, site := range sites {
		opts := kv.ListOptions{Prefix: "hold:" + site + ":"}
		for {
			res, err := ns.List(&opts) // want `unbounded listing`
			if err != nil {
				break
			}
			for _, k := range res.Keys {
				_ = ns.Delete(k.Name)
			}
			if res.ListComplete {
				break
			}
			opts.Cursor = res.Cursor
		}
	}
	return nil
}

// Pages turned into a pull function with iter.Pull2.

func pagesOf(ns *kv.Namespace, prefix string) iter.Seq2[*kv.ListResult, error] { // want pagesOf:"kvlist iterator"
	return func(yield func(*kv.ListResult, error) bool) {
		opts := &kv.ListOptions{Prefix: prefix}
		for {
			res, err := ns.List(opts)
			if !yield(res, err) || err != nil || res.ListComplete {
				return
			}
			opts.Cursor = res.Cursor
		}
	}
}

func exportPulled(ns *kv.Namespace, prefix string) ([]string, error) { // want exportPulled:"kvlist"
	next, stop := iter.Pull2(pagesOf(ns, prefix)) // want `unbounded listing`
	defer stop()
	var out []string
	for {
		page, err, ok := next()
		if !ok {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		for _, k := range page.Keys {
			v, err := ns.GetString(k.Name, nil) // want `one get per listed key`
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
	}
}

func firstPages(ns *kv.Namespace, prefix string) []string {
	next, stop := iter.Pull2(pagesOf(ns, prefix))
	defer stop()
	var out []string
	for pages := 0; pages < 3; pages++ {
		page, err, ok := next()
		if !ok || err != nil {
			break
		}
		for _, k := range page.Keys {
			out = append(out, k.Name)
		}
	}
	return out
}
