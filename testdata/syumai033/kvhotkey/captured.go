package kvhotkey

import (
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

type hoursUpdate struct {
	Restaurant string
	Day        string
}

// Quiet: each message's closure captures that message's key.
func applyHours(ns *kv.Namespace, updates []hoursUpdate) error {
	for _, u := range updates {
		key := "hours:" + u.Restaurant
		apply := func() error {
			return ns.PutString(key, u.Day, nil)
		}
		if err := apply(); err != nil {
			return err
		}
	}
	return nil
}

// A closure made once, with one key, called for every message.
func markProgress(ns *kv.Namespace, updates []hoursUpdate) error { // want markProgress:"kvhotkey"
	key := "hours:last-import"
	mark := func(day string) error {
		return ns.PutString(key, day, nil) // want `this loop writes the same KV key on every iteration`
	}
	for _, u := range updates {
		if err := mark(u.Day); err != nil {
			return err
		}
	}
	return nil
}

// The binding is read through a getter on each trip: the same namespace.
type watchBoard struct{ ns *kv.Namespace }

func (w *watchBoard) Binding() *kv.Namespace { return w.ns }

func (w *watchBoard) watch(station, client string, stop <-chan struct{}) { // want watch:"kvhotkey"
	key := "watch:" + station + ":" + client
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		_ = w.Binding().PutString(key, "1", &kv.PutOptions{ExpirationTTL: 120}) // want `this loop writes the same KV key on every iteration`
		select {
		case <-stop:
			return
		case <-tick.C:
		}
	}
}
