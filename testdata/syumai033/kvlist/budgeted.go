package kvlist

import (
	"strings"

	"github.com/syumai/workers/cloudflare/kv"
)

// listNames follows the cursor for at most maxPages pages and returns the
// names with where it stopped.
func listNames(ns *kv.Namespace, prefix string, maxPages int) ([]string, string, error) { // want listNames:"kvlist pager"
	var names []string
	cursor := ""
	for page := 0; page < maxPages; page++ {
		res, err := ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor})
		if err != nil {
			return names, cursor, err
		}
		for _, k := range res.Keys {
			names = append(names, k.Name)
		}
		if res.ListComplete {
			return names, "", nil
		}
		cursor = res.Cursor
	}
	return names, cursor, nil
}

// firstNames returns one page and its cursor.
func firstNames(ns *kv.Namespace, prefix string) ([]string, string, error) {
	res, err := ns.List(&kv.ListOptions{Prefix: prefix})
	if err != nil {
		return nil, "", err
	}
	var names []string
	for _, k := range res.Keys {
		names = append(names, k.Name)
	}
	return names, res.Cursor, nil
}

// Ten pages at most, on purpose: dropping where the helper stopped is
// the budget, not a first page.
func endSessions(ns *kv.Namespace, user string) (int, error) {
	names, _, err := listNames(ns, "user-sess:"+user+":", 10)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, name := range names {
		if strings.HasPrefix(name, "user-sess:") {
			n++
		}
	}
	return n, nil
}

// One page, its cursor dropped.
func countSessions(ns *kv.Namespace, user string) (int, error) { // want countSessions:"kvlist"
	names, _, err := firstNames(ns, "user-sess:"+user+":") // want `only the first page of this list is used`
	return len(names), err
}
