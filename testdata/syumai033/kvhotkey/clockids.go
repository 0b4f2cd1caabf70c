package kvhotkey

import (
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// Records stored under an ID read off the clock in nanoseconds: a new
// key on every call, in a helper or in the loop itself.
func newEntry(ns *kv.Namespace, name string) error {
	id := strconv.FormatInt(time.Now().UnixNano(), 36)
	return ns.PutString("entry:"+id, name, nil)
}

// Quiet: each row gets its own key.
func importEntries(ns *kv.Namespace, names []string) error {
	for _, name := range names {
		if err := newEntry(ns, name); err != nil {
			return err
		}
	}
	return nil
}

func importEntriesHere(ns *kv.Namespace, names []string) error {
	for _, name := range names {
		if err := ns.PutString("entry:"+strconv.FormatInt(time.Now().UnixMicro(), 10), name, nil); err != nil {
			return err
		}
	}
	return nil
}
