package kvhotkey

import (
	"encoding/json"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// Each zone's surge is retried with a backoff when its write fails; the
// fleet snapshot, one key, is written after every zone all the same.
func publishSurges(ns *kv.Namespace, zones []string) { // want publishSurges:"kvhotkey"
	fleet := map[string]int{}
	for i, zone := range zones {
		tries := 0
	retry:
		if err := ns.PutString("surge:"+zone, "1", nil); err != nil {
			if tries++; tries < 3 {
				time.Sleep(time.Duration(tries) * 200 * time.Millisecond)
				goto retry
			}
			continue
		}
		fleet[zone] = i
		snap, _ := json.Marshal(fleet)
		_ = ns.PutString("fleet:snapshot", string(snap), nil) // want `this loop writes the same KV key on every iteration`
	}
}

// Quiet: a second's wait after every zone.
func publishSurgesSlowly(ns *kv.Namespace, zones []string) {
	for _, zone := range zones {
		_ = ns.PutString("fleet:last", zone, nil)
		time.Sleep(time.Second)
	}
}

// An export's cursor, read once, then saved after every page by the
// goroutine that does the export.
func exportPages(ns *kv.Namespace, pages int) <-chan struct{} { // want exportPages:"kvhotkey"
	cursor, _ := ns.GetString("export:cursor", nil)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < pages; i++ {
			res, err := ns.List(&kv.ListOptions{Prefix: "proof:", Cursor: cursor})
			if err != nil {
				return
			}
			cursor = res.Cursor
			_ = ns.PutString("export:cursor", cursor, nil) // want `this loop writes the same KV key on every iteration`
			if res.ListComplete {
				return
			}
		}
	}()
	return done
}

// Quiet: the cursor saved once, when the goroutine is done.
func exportPagesOnce(ns *kv.Namespace, pages int) <-chan struct{} {
	cursor, _ := ns.GetString("export2:cursor", nil)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < pages; i++ {
			res, err := ns.List(&kv.ListOptions{Prefix: "proof:", Cursor: cursor})
			if err != nil {
				return
			}
			cursor = res.Cursor
			if res.ListComplete {
				break
			}
		}
		_ = ns.PutString("export2:cursor", cursor, nil)
	}()
	return done
}
