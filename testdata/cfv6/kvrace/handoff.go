package kvrace

import (
	"context"
	"encoding/json"
	"time"

	"kvlint.test/cfv6/asyncstore"
)

// Gets whose value the adapter hands to a completion callback: what the
// callback is given is what was read.

type commandQueue struct {
	Commands []string
}

func enqueueCommand(ctx context.Context, ns *asyncstore.Namespace, device, cmd string, done func(error)) {
	key := "queue:" + device
	ns.GetAsync(ctx, key, func(val []byte, err error) {
		var q commandQueue
		if err == nil {
			_ = json.Unmarshal(val, &q)
		}
		q.Commands = append(q.Commands, cmd)
		raw, _ := json.Marshal(q)
		ns.PutAsync(ctx, key, raw, time.Hour, done) // want `read-modify-write on one KV key`
	})
}

func addTag(ctx context.Context, ns *asyncstore.Namespace, item, tag string) {
	ns.GetThen(ctx, "tags:"+item, func(v []byte) {
		_ = ns.Put(ctx, "tags:"+item, append(v, []byte(","+tag)...), time.Hour) // want `read-modify-write on one KV key`
	}, func(error) {})
}

// Quiet: the callback copies what it read to another key.
func archiveQueue(ctx context.Context, ns *asyncstore.Namespace, device string) {
	ns.GetAsync(ctx, "queue:"+device, func(val []byte, err error) {
		if err != nil {
			return
		}
		ns.PutAsync(ctx, "archive:"+device, val, 24*time.Hour, nil)
	})
}

// Quiet: the value written is the caller's, not what was read.
func resetQueue(ctx context.Context, ns *asyncstore.Namespace, device string, cmds []string) {
	ns.GetAsync(ctx, "queue:"+device, func(_ []byte, err error) {
		raw, _ := json.Marshal(commandQueue{Commands: cmds})
		ns.PutAsync(ctx, "queue:"+device, raw, time.Hour, nil)
	})
}
