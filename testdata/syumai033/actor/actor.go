// Package actor owns a namespace in one goroutine, which serves the
// requests its methods send on a channel. Every write of the package is
// made through a variable that tests swap for a fake.
package actor

import (
	"context"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

type op int

const (
	opPut op = iota
	opDelete
	opAdd
	opGet
)

type request struct {
	op    op
	key   string
	value string
	ttl   time.Duration
	delta int
	reply chan result
}

type result struct {
	value string
	err   error
}

// putValue is the one write path; tests replace it.
var putValue = realPut

func realPut(ns *kv.Namespace, key, value string, ttl time.Duration) error {
	return ns.PutString(key, value, &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

// deleteValue is the one delete path; tests replace it too.
var deleteValue = func(ns *kv.Namespace, key string) error { return ns.Delete(key) }

type Actor struct {
	ns   *kv.Namespace
	reqs chan request
}

func Start(ns *kv.Namespace) *Actor {
	a := &Actor{ns: ns, reqs: make(chan request)}
	go a.loop()
	return a
}

func (a *Actor) loop() {
	for req := range a.reqs {
		req.reply <- a.handle(req)
	}
}

func (a *Actor) handle(req request) result {
	switch req.op {
	case opPut:
		return result{err: putValue(a.ns, req.key, req.value, req.ttl)}
	case opDelete:
		return result{err: deleteValue(a.ns, req.key)}
	case opGet:
		v, err := a.ns.GetString(req.key, nil)
		return result{value: v, err: err}
	case opAdd:
		n := 0
		if raw, err := a.ns.GetString(req.key, nil); err == nil && raw != "<null>" {
			n, _ = strconv.Atoi(raw)
		}
		return result{err: putValue(a.ns, req.key, strconv.Itoa(n+req.delta), req.ttl)} // want `counter kept in KV: this put writes back a count read from the same key`
	}
	return result{}
}

func (a *Actor) call(ctx context.Context, req request) result {
	req.reply = make(chan result, 1)
	select {
	case a.reqs <- req:
	case <-ctx.Done():
		return result{err: ctx.Err()}
	}
	return <-req.reply
}

// Get reads key through the actor.
func (a *Actor) Get(ctx context.Context, key string) (string, error) {
	r := a.call(ctx, request{op: opGet, key: key})
	return r.value, r.err
}

// Put writes key through the actor.
func (a *Actor) Put(ctx context.Context, key, value string, ttl time.Duration) error {
	return a.call(ctx, request{op: opPut, key: key, value: value, ttl: ttl}).err
}

// Delete removes key through the actor.
func (a *Actor) Delete(ctx context.Context, key string) error {
	return a.call(ctx, request{op: opDelete, key: key}).err
}

// Add adds delta to the count at key, inside the actor.
func (a *Actor) Add(ctx context.Context, key string, delta int) error {
	return a.call(ctx, request{op: opAdd, key: key, delta: delta, ttl: time.Hour}).err
}
