package kvrace

import (
	"encoding/json"
	"errors"

	"github.com/syumai/workers/cloudflare/kv"
)

// A door claimed unless another order holds it: the holder is handed back
// with the refusal, to say who holds it, and is no value handed on.

var errDoorTaken = errors.New("door taken")

type doorHold struct {
	Order string `json:"order"`
}

func claimDoor(ns *kv.Namespace, door, order string) (doorHold, error) {
	key := "door:" + door
	raw, err := ns.GetString(key, nil)
	if err != nil {
		return doorHold{}, err
	}
	if raw != "<null>" {
		var h doorHold
		if json.Unmarshal([]byte(raw), &h) == nil && h.Order != order {
			return h, errDoorTaken
		}
	}
	h := doorHold{Order: order}
	b, _ := json.Marshal(h)
	return h, ns.PutString(key, string(b), nil) // want `check-then-set on one KV key`
}

// Quiet: a read-through cache hands the value read on, whatever its error.
func cachedDoor(ns *kv.Namespace, door string, load func(string) (doorHold, error)) (doorHold, error) {
	key := "doorcache:" + door
	raw, err := ns.GetString(key, nil)
	if err == nil && raw != "<null>" {
		var h doorHold
		if json.Unmarshal([]byte(raw), &h) == nil {
			return h, nil
		}
	}
	h, err := load(door)
	if err != nil {
		return h, err
	}
	b, _ := json.Marshal(h)
	return h, ns.PutString(key, string(b), nil)
}
