package kvhotkey

import (
	"encoding/json"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

type stageEvent struct {
	Stage   string
	Percent int
}

// Quiet: a stream of progress events, written when the stage changes or
// five seconds have passed since the last write.
func recordProgress(ns *kv.Namespace, dec *json.Decoder, upload string) error {
	var lastWrite time.Time
	var lastStage string
	for dec.More() {
		var ev stageEvent
		if err := dec.Decode(&ev); err != nil {
			return err
		}
		if ev.Stage == lastStage && time.Since(lastWrite) < 5*time.Second {
			continue
		}
		b, _ := json.Marshal(ev)
		if err := ns.PutString("progress:"+upload, string(b), nil); err != nil {
			return err
		}
		lastWrite, lastStage = time.Now(), ev.Stage
	}
	return nil
}

// The "too soon" side still writes: the check paces nothing.
func recordProgressAnyway(ns *kv.Namespace, dec *json.Decoder, upload string) error { // want recordProgressAnyway:"kvhotkey"
	var lastWrite time.Time
	for dec.More() {
		var ev stageEvent
		if err := dec.Decode(&ev); err != nil {
			return err
		}
		fresh := true
		if time.Since(lastWrite) < 5*time.Second {
			fresh = false
		}
		ev.Percent = min(ev.Percent, 100)
		b, _ := json.Marshal(ev)
		if err := ns.PutString("progress:"+upload, string(b), nil); err != nil { // want `this loop writes the same KV key on every iteration`
			return err
		}
		if fresh {
			lastWrite = time.Now()
		}
	}
	return nil
}
