package kvhotkey

import (
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// Quiet: the progress key is written at most once every five seconds.
func purgeWithProgress(ns *kv.Namespace, names []string) error {
	last := time.Now()
	for i, name := range names {
		if err := ns.Delete(name); err != nil {
			return err
		}
		if time.Since(last) >= 5*time.Second {
			if err := ns.PutString("purge:progress", strconv.Itoa(i), nil); err != nil {
				return err
			}
			last = time.Now()
		}
	}
	return nil
}

// A throttle of a few milliseconds paces nothing.
func purgeWithFastProgress(ns *kv.Namespace, names []string) error { // want purgeWithFastProgress:"kvhotkey"
	last := time.Now()
	for i, name := range names {
		if err := ns.Delete(name); err != nil {
			return err
		}
		if time.Since(last) >= 10*time.Millisecond {
			if err := ns.PutString("purge:progress", strconv.Itoa(i), nil); err != nil { // want `this loop writes the same KV key on every iteration`
				return err
			}
			last = time.Now()
		}
	}
	return nil
}
