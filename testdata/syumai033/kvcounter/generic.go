package kvcounter

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/syumai/workers/cloudflare/kv"
)

// A generic increment over any integer type, its value packed in eight
// bytes: the arithmetic is on a type parameter.
func incr[N ~int64 | ~int32](ns *kv.Namespace, key string, delta N) (N, error) {
	var cur N
	raw, err := ns.GetString(key, nil)
	if err != nil {
		return 0, err
	}
	if raw != "<null>" && len(raw) == 8 {
		cur = N(binary.BigEndian.Uint64([]byte(raw)))
	}
	next := cur + delta
	buf := binary.BigEndian.AppendUint64(nil, uint64(next))
	return next, ns.PutString(key, string(buf), nil) // want `counter kept in KV`
}

// Quiet: a generic value of any type, replaced whole.
func replace[T ~string](ns *kv.Namespace, key string, v T) error {
	old, err := ns.GetString(key, nil)
	if err != nil {
		return err
	}
	if string(v) == old {
		return nil
	}
	return ns.PutString(key, string(v), nil)
}

type tally struct {
	Poll   string
	Counts map[string]int64
}

// A decoded record whose map of counts is incremented in place.
func vote(ns *kv.Namespace, poll, option string) error {
	var t tally
	raw, err := ns.GetString("tally:"+poll, nil)
	if err != nil {
		return err
	}
	if raw != "<null>" {
		if err := json.Unmarshal([]byte(raw), &t); err != nil {
			return err
		}
	}
	if t.Counts == nil {
		t = tally{Poll: poll, Counts: map[string]int64{}}
	}
	t.Counts[option]++
	b, _ := json.Marshal(t)
	return ns.PutString("tally:"+poll, string(b), nil) // want `counter kept in KV`
}

// Quiet: a decoded record whose map gains a member; nothing is counted.
func tag(ns *kv.Namespace, poll, option string) error {
	var t tally
	raw, err := ns.GetString("tags:"+poll, nil)
	if err != nil {
		return err
	}
	if raw != "<null>" {
		if err := json.Unmarshal([]byte(raw), &t); err != nil {
			return err
		}
	}
	if t.Counts == nil {
		t.Counts = map[string]int64{}
	}
	t.Counts[option] = 1
	b, _ := json.Marshal(t)
	return ns.PutString("tags:"+poll, string(b), nil)
}

var errShort = errors.New("not enough")

// The arithmetic in a closure that the function calls.
func spend(ns *kv.Namespace, player string, n int) error {
	apply := func(have int) (int, error) {
		if have < n {
			return have, errShort
		}
		return have - n, nil
	}
	raw, err := ns.GetString("coins:"+player, nil)
	if err != nil || raw == "<null>" {
		return errShort
	}
	have, _ := strconv.Atoi(raw)
	left, err := apply(have)
	if err != nil {
		return err
	}
	return ns.PutString("coins:"+player, strconv.Itoa(left), nil) // want `counter kept in KV`
}

// Quiet: a closure that picks a label, no count.
func relabel(ns *kv.Namespace, id string) error {
	pick := func(old string) string { return old + "!" }
	raw, err := ns.GetString("label:"+id, nil)
	if err != nil || raw == "<null>" {
		return err
	}
	return ns.PutString("title:"+id, pick(raw), nil)
}
