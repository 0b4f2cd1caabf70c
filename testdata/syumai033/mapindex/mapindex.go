// Package mapindex keeps an index as a map type whose methods load and
// save it: Load fills the map it is called on.
package mapindex

import (
	"encoding/json"

	"github.com/syumai/workers/cloudflare/kv"
)

type Index map[string]int64

// Load replaces the contents of ix with the index stored at key.
func (ix Index) Load(ns *kv.Namespace, key string) error {
	raw, err := ns.GetString(key, nil)
	if err != nil || raw == "<null>" {
		return err
	}
	clear(ix)
	return json.Unmarshal([]byte(raw), &ix)
}

// Merge adds the entries stored at key to ix, one by one.
func (ix Index) Merge(ns *kv.Namespace, key string) error {
	raw, err := ns.GetString(key, nil)
	if err != nil || raw == "<null>" {
		return err
	}
	var stored map[string]int64
	if err := json.Unmarshal([]byte(raw), &stored); err != nil {
		return err
	}
	for k, v := range stored {
		ix[k] = v
	}
	return nil
}

// Save writes ix to key.
func (ix Index) Save(ns *kv.Namespace, key string) error {
	raw, err := json.Marshal(ix)
	if err != nil {
		return err
	}
	return ns.PutString(key, string(raw), nil)
}
