//go:build js && wasm

package kvstore

import (
	"context"
	"errors"
	"time"
)

// ErrStopped is returned once the actor's context has ended.
var ErrStopped = errors.New("kvstore: actor stopped")

type request struct {
	put   bool
	key   string
	val   string
	ttl   time.Duration
	reply chan reply
}

type reply struct {
	val string
	ok  bool
	err error
}

// Actor serialises access to one bucket: a single goroutine owns the bucket
// and performs the gets and puts that other goroutines send it.
type Actor struct {
	reqs chan request
	done chan struct{}
}

// StartActor starts the goroutine that owns b. It stops when ctx ends.
func StartActor(ctx context.Context, b *Bucket) *Actor {
	a := &Actor{reqs: make(chan request), done: make(chan struct{})}
	context.AfterFunc(ctx, func() { close(a.done) })
	go a.loop(b)
	return a
}

func (a *Actor) loop(b *Bucket) {
	for {
		select {
		case <-a.done:
			return
		case r := <-a.reqs:
			var rep reply
			if r.put {
				rep.err = b.Put(r.key, r.val, &PutOpts{TTL: r.ttl})
			} else {
				rep.val, rep.ok, rep.err = b.Get(r.key)
			}
			r.reply <- rep
		}
	}
}

func (a *Actor) do(ctx context.Context, r request) (reply, error) {
	r.reply = make(chan reply, 1)
	select {
	case a.reqs <- r:
	case <-a.done:
		return reply{}, ErrStopped
	case <-ctx.Done():
		return reply{}, ctx.Err()
	}
	select {
	case rep := <-r.reply:
		return rep, rep.err
	case <-ctx.Done():
		return reply{}, ctx.Err()
	}
}

// Get asks the actor for key.
func (a *Actor) Get(ctx context.Context, key string) (string, bool, error) {
	rep, err := a.do(ctx, request{key: key})
	return rep.val, rep.ok, err
}

// Put asks the actor to write key. A zero ttl uses the bucket's lifetime.
func (a *Actor) Put(ctx context.Context, key, val string, ttl time.Duration) error {
	_, err := a.do(ctx, request{put: true, key: key, val: val, ttl: ttl})
	return err
}
