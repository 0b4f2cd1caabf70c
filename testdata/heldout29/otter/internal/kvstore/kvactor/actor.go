// Package kvactor serialises access to a store through one goroutine.
// Background jobs share an Actor so that their reads and writes leave the
// process in the order they were issued, paced by one loop.
package kvactor

import (
	"context"
	"errors"
	"time"

	"example.com/otter/internal/kvport"
)

type opKind int

const (
	opGet opKind = iota
	opPut
	opMutate
)

type reply struct {
	value []byte
	err   error
}

type request struct {
	op     opKind
	key    string
	value  []byte
	opts   *kvport.PutOpts
	mutate func(old []byte, found bool) ([]byte, error)
	reply  chan reply
}

var ErrStopped = errors.New("kvactor: stopped")

// Actor owns a store. Create it with New and start it with Run.
type Actor struct {
	store kvport.Store
	reqs  chan request
	done  chan struct{}
}

func New(store kvport.Store, queue int) *Actor {
	return &Actor{store: store, reqs: make(chan request, queue), done: make(chan struct{})}
}

func (a *Actor) Run(ctx context.Context) {
	defer close(a.done)
	for {
		select {
		case <-ctx.Done():
			return
		case r := <-a.reqs:
			r.reply <- a.serve(ctx, r)
		}
	}
}

func (a *Actor) serve(ctx context.Context, r request) reply {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	switch r.op {
	case opGet:
		v, err := a.store.Get(ctx, r.key)
		return reply{value: v, err: err}
	case opPut:
		return reply{err: a.store.Put(ctx, r.key, r.value, r.opts)}
	case opMutate:
		old, err := a.store.Get(ctx, r.key)
		if err != nil && !kvport.IsNotFound(err) {
			return reply{err: err}
		}
		next, err := r.mutate(old, err == nil)
		if err != nil {
			return reply{err: err}
		}
		return reply{value: next, err: a.store.Put(ctx, r.key, next, r.opts)} // DEBATABLE kvrace
	}
	return reply{err: errors.New("kvactor: unknown op")}
}

func (a *Actor) call(ctx context.Context, r request) reply {
	r.reply = make(chan reply, 1)
	select {
	case a.reqs <- r:
	case <-a.done:
		return reply{err: ErrStopped}
	case <-ctx.Done():
		return reply{err: ctx.Err()}
	}
	select {
	case rep := <-r.reply:
		return rep
	case <-ctx.Done():
		return reply{err: ctx.Err()}
	}
}

func (a *Actor) Get(ctx context.Context, key string) ([]byte, error) {
	rep := a.call(ctx, request{op: opGet, key: key})
	return rep.value, rep.err
}

func (a *Actor) Put(ctx context.Context, key string, value []byte, opts *kvport.PutOpts) error {
	return a.call(ctx, request{op: opPut, key: key, value: value, opts: opts}).err
}

// Mutate reads key, applies fn and writes the result, all inside the
// actor's loop, so that no other request of this process interleaves.
func (a *Actor) Mutate(ctx context.Context, key string, opts *kvport.PutOpts, fn func(old []byte, found bool) ([]byte, error)) ([]byte, error) {
	rep := a.call(ctx, request{op: opMutate, key: key, opts: opts, mutate: fn})
	return rep.value, rep.err
}
