package kvrace

import (
	"github.com/syumai/workers/cloudflare/kv"

	"kvlint.test/syumai033/mapindex"
)

// The index is loaded into a map, given an entry, and saved back.
func indexPosting(ns *kv.Namespace, employer, posting string, at int64) error {
	ix := mapindex.Index{}
	key := "postings/" + employer + "/index"
	if err := ix.Load(ns, key); err != nil {
		return err
	}
	ix[posting] = at
	return ix.Save(ns, key) // want `read-modify-write on one KV key`
}

// So is one merged entry by entry.
func mergePosting(ns *kv.Namespace, employer, posting string, at int64) error {
	ix := mapindex.Index{}
	key := "postings/" + employer + "/merged"
	if err := ix.Merge(ns, key); err != nil {
		return err
	}
	ix[posting] = at
	return ix.Save(ns, key) // want `read-modify-write on one KV key`
}

// Quiet: a fresh index, loaded from elsewhere, written under a new key.
func snapshotPostings(ns *kv.Namespace, employer, day string) error {
	ix := mapindex.Index{}
	if err := ix.Load(ns, "postings/"+employer+"/index"); err != nil {
		return err
	}
	return ix.Save(ns, "postings/"+employer+"/snapshot/"+day)
}
