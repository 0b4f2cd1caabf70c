// Package kvlist holds kvlist's cases on github.com/syumai/workers.
package kvlist

import (
	"context"
	"encoding/json"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// Follows the cursor to the end, with nothing to stop it.
func allKeys(ns *kv.Namespace, prefix string) ([]string, error) { // want allKeys:"kvlist"
	var keys []string
	cursor := ""
	for {
		res, err := ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor}) // want `unbounded listing`
		if err != nil {
			return nil, err
		}
		for _, k := range res.Keys {
			keys = append(keys, k.Name)
		}
		if res.ListComplete {
			return keys, nil
		}
		cursor = res.Cursor
	}
}

// The same loop, written on the cursor.
func countKeys(ns *kv.Namespace) (int, error) { // want countKeys:"kvlist"
	n := 0
	res, err := ns.List(&kv.ListOptions{Prefix: "user:"})
	for err == nil && !res.ListComplete {
		n += len(res.Keys)
		res, err = ns.List(&kv.ListOptions{Prefix: "user:", Cursor: res.Cursor}) // want `unbounded listing`
	}
	return n, err
}

// Stops at the first empty page.
func untilEmpty(ns *kv.Namespace) ([]string, error) { // want untilEmpty:"kvlist"
	var keys []string
	cursor := ""
	for i := 0; ; i++ {
		res, err := ns.List(&kv.ListOptions{Prefix: "job:", Cursor: cursor}) // want `stops at the first empty page`
		if err != nil {
			return nil, err
		}
		if len(res.Keys) == 0 {
			return keys, nil
		}
		for _, k := range res.Keys {
			keys = append(keys, k.Name)
		}
		cursor = res.Cursor
	}
}

// One page, used as if it were all the keys.
func firstPage(ns *kv.Namespace) ([]string, error) { // want firstPage:"kvlist"
	res, err := ns.List(&kv.ListOptions{Prefix: "tenant:"}) // want `only the first page of this list is used`
	if err != nil {
		return nil, err
	}
	var names []string
	for _, k := range res.Keys {
		names = append(names, k.Name)
	}
	return names, nil
}

// One get per listed key.
func values(ns *kv.Namespace, cursor string) (map[string]string, string, error) { // want values:"kvlist"
	res, err := ns.List(&kv.ListOptions{Prefix: "cfg:", Cursor: cursor})
	if err != nil {
		return nil, "", err
	}
	out := make(map[string]string)
	for _, k := range res.Keys {
		v, err := ns.GetString(k.Name, nil) // want `one get per listed key \(N\+1\)`
		if err != nil {
			return nil, "", err
		}
		out[k.Name] = v
	}
	return out, res.Cursor, nil
}

// Quiet: a budget of pages.
func boundedKeys(ns *kv.Namespace, maxPages int) ([]string, error) {
	var keys []string
	cursor := ""
	for page := 0; page < maxPages; page++ {
		res, err := ns.List(&kv.ListOptions{Prefix: "log:", Cursor: cursor})
		if err != nil {
			return nil, err
		}
		for _, k := range res.Keys {
			keys = append(keys, k.Name)
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	return keys, nil
}

// Quiet: a deadline.
func untilDeadline(ctx context.Context, ns *kv.Namespace) (int, error) {
	n := 0
	cursor := ""
	for ctx.Err() == nil {
		res, err := ns.List(&kv.ListOptions{Prefix: "evt:", Cursor: cursor})
		if err != nil {
			return n, err
		}
		n += len(res.Keys)
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
		time.Sleep(time.Millisecond)
	}
	return n, nil
}

// Quiet: one page returned with its cursor to the caller.
func page(ns *kv.Namespace, cursor string) ([]string, string, error) {
	res, err := ns.List(&kv.ListOptions{Prefix: "item:", Cursor: cursor})
	if err != nil {
		return nil, "", err
	}
	var names []string
	for _, k := range res.Keys {
		names = append(names, k.Name)
	}
	return names, res.Cursor, nil
}

// Quiet: a small limit asks for a few keys on purpose.
func newest(ns *kv.Namespace) ([]string, error) {
	res, err := ns.List(&kv.ListOptions{Prefix: "post:", Limit: 10})
	if err != nil {
		return nil, err
	}
	var names []string
	for _, k := range res.Keys {
		names = append(names, k.Name)
	}
	return names, nil
}

// The continuation keeps the cursor but drops the prefix: page two on
// lists the namespace from that point, not the prefix.
func finishers(ns *kv.Namespace, day string, maxPages int) ([]string, error) { // want finishers:"kvlist"
	prefix := "done:" + day + ":"
	res, err := ns.List(&kv.ListOptions{Prefix: prefix, Limit: 1000})
	if err != nil {
		return nil, err
	}
	var out []string
	for page := 1; !res.ListComplete && page < maxPages; page++ {
		for _, k := range res.Keys {
			out = append(out, k.Name)
		}
		res, err = ns.List(&kv.ListOptions{Cursor: res.Cursor, Limit: 1000}) // want `leaves out the Prefix the listing started with`
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// Quiet: the same, with the prefix passed along with each cursor.
func finishersKept(ns *kv.Namespace, day string, maxPages int) ([]string, error) {
	prefix := "done:" + day + ":"
	res, err := ns.List(&kv.ListOptions{Prefix: prefix, Limit: 1000})
	if err != nil {
		return nil, err
	}
	var out []string
	for page := 1; !res.ListComplete && page < maxPages; page++ {
		for _, k := range res.Keys {
			out = append(out, k.Name)
		}
		res, err = ns.List(&kv.ListOptions{Prefix: prefix, Cursor: res.Cursor, Limit: 1000})
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// query is what pageOf sends, as it is.
type query struct {
	Prefix, Cursor string
	Limit          int
}

type namesPage struct {
	names    []string
	cursor   string
	complete bool
}

// pageOf returns one page and its cursor, for its callers to follow.
func pageOf(ns *kv.Namespace, q query) (namesPage, error) {
	res, err := ns.List(&kv.ListOptions{Prefix: q.Prefix, Cursor: q.Cursor, Limit: q.Limit})
	if err != nil {
		return namesPage{}, err
	}
	p := namesPage{cursor: res.Cursor, complete: res.ListComplete}
	for _, k := range res.Keys {
		p.names = append(p.names, k.Name)
	}
	return p, nil
}

// Through a helper that takes its options as a struct, the continuation
// drops the prefix.
func archived(ns *kv.Namespace, maxPages int) ([]string, error) { // want archived:"kvlist"
	p, err := pageOf(ns, query{Prefix: "archived:", Limit: 500})
	if err != nil {
		return nil, err
	}
	var out []string
	for i := 1; !p.complete && i < maxPages; i++ {
		out = append(out, p.names...)
		p, err = pageOf(ns, query{Cursor: p.cursor, Limit: 500}) // want `leaves out the Prefix the listing started with`
		if err != nil {
			return out, err
		}
	}
	return append(out, p.names...), nil
}

// Quiet: the same, with the prefix passed along with each cursor.
func archivedKept(ns *kv.Namespace, maxPages int) ([]string, error) {
	q := query{Prefix: "archived:", Limit: 500}
	p, err := pageOf(ns, q)
	if err != nil {
		return nil, err
	}
	var out []string
	for i := 1; !p.complete && i < maxPages; i++ {
		out = append(out, p.names...)
		p, err = pageOf(ns, query{Prefix: q.Prefix, Cursor: p.cursor, Limit: 500})
		if err != nil {
			return out, err
		}
	}
	return append(out, p.names...), nil
}

// keyPage is a page adapter that says itself when the listing is over.
type keyPage struct {
	names  []string
	cursor string
}

func (p keyPage) Done() bool { return p.cursor == "" }

func listPage(ns *kv.Namespace, prefix, cursor string) (keyPage, error) {
	res, err := ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor})
	if err != nil {
		return keyPage{}, err
	}
	p := keyPage{cursor: res.Cursor}
	if res.ListComplete {
		p.cursor = ""
	}
	for _, k := range res.Keys {
		p.names = append(p.names, k.Name)
	}
	return p, nil
}

// A loop that asks the page whether it is the last is unbounded all the
// same.
func everyEnrolment(ns *kv.Namespace, course string) ([]string, error) { // want everyEnrolment:"kvlist"
	var all []string
	cursor := ""
	for {
		p, err := listPage(ns, "enrol:"+course+":", cursor) // want `unbounded listing`
		if err != nil {
			return nil, err
		}
		all = append(all, p.names...)
		if p.Done() {
			return all, nil
		}
		cursor = p.cursor
	}
}

// tenantSummary lists one page of a tenant's flags, and reads its
// settings once.
func tenantSummary(ns *kv.Namespace, tenant, cursor string) (int, string, string, error) {
	res, err := ns.List(&kv.ListOptions{Prefix: "flag:" + tenant + ":", Cursor: cursor})
	if err != nil {
		return 0, "", "", err
	}
	settings, err := ns.GetString("settings:"+tenant, nil)
	return len(res.Keys), settings, res.Cursor, err
}

// A summary per listed tenant reads each tenant's settings: a get per
// listed key, through the helper.
func summaries(ns *kv.Namespace, cursor string) (map[string]int, string, error) { // want summaries:"kvlist"
	res, err := ns.List(&kv.ListOptions{Prefix: "tenant:", Cursor: cursor})
	if err != nil {
		return nil, "", err
	}
	out := make(map[string]int)
	for _, k := range res.Keys {
		n, _, _, err := tenantSummary(ns, k.Name, "") // want `one get per listed key \(N\+1\)`
		if err != nil {
			return nil, "", err
		}
		out[k.Name] = n
	}
	return out, res.Cursor, nil
}

// Quiet: the pages of one tenant, each read with the settings once; what
// the helper lists is its own, and its get is one per page.
func tenantPages(ns *kv.Namespace, tenant string, maxPages int) (int, error) {
	total, cursor := 0, ""
	for range maxPages {
		n, _, next, err := tenantSummary(ns, tenant+":"+cursor, cursor)
		if err != nil {
			return 0, err
		}
		total += n
		if next == "" {
			break
		}
		cursor = next
	}
	return total, nil
}

// Through a helper that takes the prefix as a parameter, the next pages
// pass "" for it.
func enrolments(ns *kv.Namespace, course string, maxPages int) ([]string, error) { // want enrolments:"kvlist"
	p, err := listPage(ns, "enrol:"+course+":", "")
	var all []string
	for pages := 1; ; pages++ {
		if err != nil {
			return all, err
		}
		all = append(all, p.names...)
		if p.Done() || pages >= maxPages {
			return all, nil
		}
		p, err = listPage(ns, "", p.cursor) // want `leaves out the Prefix the listing started with`
	}
}

// Quiet: the same, with the prefix passed along with each cursor.
func enrolmentsKept(ns *kv.Namespace, course string, maxPages int) ([]string, error) {
	prefix := "enrol:" + course + ":"
	p, err := listPage(ns, prefix, "")
	var all []string
	for pages := 1; ; pages++ {
		if err != nil {
			return all, err
		}
		all = append(all, p.names...)
		if p.Done() || pages >= maxPages {
			return all, nil
		}
		p, err = listPage(ns, prefix, p.cursor)
	}
}

// A page of 200 used as every key under the prefix: past 200 keys the
// rest is silently cut off.
func membersOf(ns *kv.Namespace, team string) ([]string, error) { // want membersOf:"kvlist"
	res, err := ns.List(&kv.ListOptions{Prefix: "member:" + team + ":", Limit: 200}) // want `only the first page of this list is used`
	if err != nil {
		return nil, err
	}
	var out []string
	for _, k := range res.Keys {
		out = append(out, k.Name)
	}
	return out, nil
}

// Quiet: a search that stops at the first listed key it can read.
func firstReadable(ns *kv.Namespace) (string, error) {
	res, err := ns.List(&kv.ListOptions{Prefix: "mirror:", Cursor: ""})
	if err != nil {
		return "", err
	}
	if !res.ListComplete {
		return "", nil
	}
	for _, k := range res.Keys {
		v, err := ns.GetString(k.Name, nil)
		if err == nil && v != "<null>" {
			return v, nil
		}
	}
	return "", nil
}

// One get per listed key, whose decode failure ends the loop: no search.
func decodedAll(ns *kv.Namespace, cursor string) ([]map[string]any, string, error) { // want decodedAll:"kvlist"
	res, err := ns.List(&kv.ListOptions{Prefix: "doc:", Cursor: cursor})
	if err != nil {
		return nil, "", err
	}
	var out []map[string]any
	for _, k := range res.Keys {
		v, err := ns.GetString(k.Name, nil) // want `one get per listed key \(N\+1\)`
		if err != nil {
			return nil, "", err
		}
		var doc map[string]any
		if err := json.Unmarshal([]byte(v), &doc); err != nil {
			return nil, "", err
		}
		out = append(out, doc)
	}
	return out, res.Cursor, nil
}

// One call in a bounded loop whose query is rebuilt for the next page
// without the prefix.
func sweepPresence(ns *kv.Namespace, maxPages int) (int, error) { // want sweepPresence:"kvlist"
	q := query{Prefix: "presence:", Limit: 100}
	n := 0
	for pages := 0; pages < maxPages; pages++ {
		p, err := pageOf(ns, q) // want `leaves out the Prefix the listing started with`
		if err != nil {
			return n, err
		}
		for _, name := range p.names {
			if err := ns.Delete(name); err != nil {
				return n, err
			}
			n++
		}
		if p.complete {
			break
		}
		q = query{Cursor: p.cursor, Limit: q.Limit}
	}
	return n, nil
}

// Quiet: the query keeps its prefix.
func sweepKept(ns *kv.Namespace, maxPages int) (int, error) {
	q := query{Prefix: "presence:", Limit: 100}
	n := 0
	for pages := 0; pages < maxPages; pages++ {
		p, err := pageOf(ns, q)
		if err != nil {
			return n, err
		}
		n += len(p.names)
		if p.complete {
			break
		}
		q = query{Prefix: q.Prefix, Cursor: p.cursor, Limit: q.Limit}
	}
	return n, nil
}

// takeLock reads a lock and takes it when free.
func takeLock(ns *kv.Namespace, key string) (bool, error) {
	v, err := ns.GetString(key, nil)
	if err != nil {
		return false, err
	}
	if v != "<null>" {
		return false, nil
	}
	return true, ns.PutString(key, "held", &kv.PutOptions{ExpirationTTL: 300})
}

// Quiet: a lock taken per listed job is an update of each key, not a read
// of the listing's values one by one.
func runDue(ns *kv.Namespace, cursor string) (string, error) {
	res, err := ns.List(&kv.ListOptions{Prefix: "due:", Cursor: cursor})
	if err != nil {
		return "", err
	}
	for _, k := range res.Keys {
		if ok, err := takeLock(ns, "lock:"+k.Name); err != nil || !ok {
			continue
		}
	}
	return res.Cursor, nil
}

// One get per listed key, copied to another namespace: the write is to
// another key, so the reads are N+1 all the same.
func warm(ns, cache *kv.Namespace, cursor string) (string, error) { // want warm:"kvlist"
	res, err := ns.List(&kv.ListOptions{Prefix: "schedule:", Cursor: cursor})
	if err != nil {
		return "", err
	}
	for _, k := range res.Keys {
		v, err := ns.GetString(k.Name, nil) // want `one get per listed key \(N\+1\)`
		if err != nil {
			continue
		}
		_ = cache.PutString(k.Name, v, &kv.PutOptions{ExpirationTTL: 3600})
	}
	return res.Cursor, nil
}

// Each listed shift read by its own name, closed and written back: the
// write is kvrace's, but the reads are still one per listed key.
func closeShifts(ns *kv.Namespace, cursor string) (string, error) { // want closeShifts:"kvlist"
	res, err := ns.List(&kv.ListOptions{Prefix: "shift:", Cursor: cursor})
	if err != nil {
		return "", err
	}
	for _, k := range res.Keys {
		v, err := ns.GetString(k.Name, nil) // want `one get per listed key \(N\+1\)`
		if err != nil || v == "<null>" {
			continue
		}
		if err := ns.PutString(k.Name, v+";closed", nil); err != nil {
			return "", err
		}
	}
	return res.Cursor, nil
}
