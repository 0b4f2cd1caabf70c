package kvhotkey

import (
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// flagSilent walks the last-seen stamps and records its progress after
// each silent scooter. The check of each stamp's age filters records; it
// does not pace the writes, which can come as fast as the loop runs.
func flagSilent(ns *kv.Namespace, keys []string, scheduled time.Time) error { // want flagSilent:"kvhotkey"
	for _, k := range keys {
		last, err := ns.GetString(k, nil)
		if err != nil {
			return err
		}
		seen, err := time.Parse(time.RFC3339, last)
		if err != nil || scheduled.Sub(seen) < time.Hour {
			continue
		}
		if err := ns.PutString("sweep:progress", k, nil); err != nil { // want `this loop writes the same KV key on every iteration`
			return err
		}
	}
	return nil
}

// Quiet: the same loop paced by the time of its own last write.
func flagSilentPaced(ns *kv.Namespace, keys []string) error {
	var wrote time.Time
	for _, k := range keys {
		if time.Since(wrote) < 5*time.Second {
			continue
		}
		if err := ns.PutString("sweep:progress", k, nil); err != nil {
			return err
		}
		wrote = time.Now()
	}
	return nil
}
