package kvhotkey

import (
	"encoding/json"

	"github.com/syumai/workers/cloudflare/kv"
)

type watchSession struct {
	Pos  float64 `json:"pos"`
	Seen int64   `json:"seen"`
}

// touchWatch reads a viewer's watch session, moves it and writes it
// back: kvsession's finding, inside it.
func touchWatch(ns *kv.Namespace, id string, pos float64, at int64) error {
	raw, err := ns.GetString("watchsess:"+id, nil)
	if err != nil || raw == "<null>" {
		return err
	}
	var s watchSession
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return err
	}
	s.Pos, s.Seen = pos, at
	b, _ := json.Marshal(s)
	return ns.PutString("watchsess:"+id, string(b), nil)
}

type beat struct {
	Pos float64
	At  int64
}

// The beats a player buffered while offline, each written over the same
// session: the loop's finding, whatever is wrong inside the write.
func replayBeats(ns *kv.Namespace, id string, beats []beat) error { // want replayBeats:"kvhotkey"
	for _, b := range beats {
		if err := touchWatch(ns, id, b.Pos, b.At); err != nil { // want `this loop writes the same KV key on every iteration`
			return err
		}
	}
	return nil
}

// Quiet: one write, of the last beat.
func replayLast(ns *kv.Namespace, id string, beats []beat) error {
	if len(beats) == 0 {
		return nil
	}
	last := beats[len(beats)-1]
	return touchWatch(ns, id, last.Pos, last.At)
}
