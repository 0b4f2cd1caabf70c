package kvcounter

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/syumai/workers/cloudflare/kv"
)

var errLocked = errors.New("locked")

type guard struct{ ns *kv.Namespace }

func (g guard) failures(code string) (int, error) {
	v, err := g.ns.GetString("strikes:"+code, nil)
	if err != nil || v == "<null>" {
		return 0, err
	}
	return strconv.Atoi(v)
}

// recordFailure does the counting itself: the finding is at its put.
func (g guard) recordFailure(code string, prev int) error {
	return g.ns.PutString("strikes:"+code, strconv.Itoa(prev+1), nil) // want `counter kept in KV: this put writes back a count read from the same key`
}

func (g guard) check(code string, ok bool) error {
	n, err := g.failures(code)
	if err != nil {
		return err
	}
	if n >= 5 {
		return errLocked
	}
	if !ok {
		return g.recordFailure(code, n)
	}
	return nil
}

// storeCount writes what it is given: the caller counts, and the finding
// is at the caller's call.
func (g guard) storeCount(code string, n int) error {
	return g.ns.PutString("strikes:"+code, strconv.Itoa(n), nil)
}

func (g guard) checkAgain(code string, ok bool) error {
	n, err := g.failures(code)
	if err != nil || ok {
		return err
	}
	return g.storeCount(code, n+1) // want `counter kept in KV: this put writes back a count read from the same key`
}

// Quiet: i+1 is a position in the list read, not a count kept in it.
func dropInvite(ns *kv.Namespace, team, code string) error {
	raw, err := ns.GetString("invites:"+team, nil)
	if err != nil {
		return err
	}
	codes := strings.Split(raw, "\n")
	i := slices.Index(codes, code)
	if i < 0 {
		return nil
	}
	codes = slices.Delete(codes, i, i+1)
	return ns.PutString("invites:"+team, strings.Join(codes, "\n"), nil)
}

// Quiet: a position clamped to the list's length, then shifted, places a
// guest in a queue; nothing is counted.
func seatAt(ns *kv.Namespace, table, guest string, position int) error {
	raw, err := ns.GetString("queue:"+table, nil)
	if err != nil {
		return err
	}
	guests := strings.Split(raw, "\n")
	position = min(max(position, 1), len(guests)+1)
	guests = slices.Insert(guests, position-1, guest)
	return ns.PutString("queue:"+table, strings.Join(guests, "\n"), nil)
}
