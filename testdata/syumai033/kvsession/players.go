package kvsession

import (
	"encoding/json"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"kvlint.test/syumai033/kvkey"
	playersessions "kvlint.test/syumai033/sessions"
)

func loadRecord(ns *kv.Namespace, v any) error {
	raw, err := ns.GetString(kvkey.Of(v), nil)
	if err != nil {
		return err
	}
	return json.Unmarshal([]byte(raw), v)
}

func saveRecord(ns *kv.Namespace, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return ns.PutString(kvkey.Of(v), string(b), &kv.PutOptions{ExpirationTTL: 3600})
}

func lookupPlayer(ns *kv.Namespace, id string) (*playersessions.Player, error) { // want lookupPlayer:"kvsession judged inside"
	p := &playersessions.Player{ID: id}
	return p, loadRecord(ns, p)
}

// The record is keyed by itself, read by one helper and written back by
// another; its type, a playersessions.Player, names what it is.
func touchPlayer(ns *kv.Namespace, id string) error { // want touchPlayer:"^kvsession$" touchPlayer:"kvsession judged inside"
	p, err := lookupPlayer(ns, id)
	if err != nil {
		return err
	}
	p.LastSeen = time.Now()
	return saveRecord(ns, p) // want `A session read, changed and written back in KV`
}
