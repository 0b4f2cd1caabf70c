//go:build js && wasm

// Package kvactor serialises access to the KV client through one goroutine.
// Handlers send it requests and wait on a reply channel, which bounds the
// binding calls in flight per isolate and gives one place to time them.
package kvactor

import (
	"context"
	"errors"
	"time"

	"example.com/plover/internal/edge/kvbind"
)

// Op is the kind of storage operation requested.
type Op uint8

const (
	OpGet Op = iota + 1
	OpLoad
	OpPut
	OpDelete
	OpList
)

// Request is one message to the actor.
type Request struct {
	Op     Op
	Key    string
	Value  string
	TTL    time.Duration
	Prefix string
	Cursor string
	Limit  int
	Reply  chan<- Reply
}

// Reply is the actor's answer.
type Reply struct {
	Value    string
	Found    bool
	Keys     []string
	Cursor   string
	Complete bool
	Err      error
}

// ErrStopped is returned once the actor's context has ended.
var ErrStopped = errors.New("kvactor: stopped")

// Actor owns the KV client.
type Actor struct {
	kv      *kvbind.Client
	inbox   chan Request
	stopped chan struct{}
}

// Start launches the actor. It runs until ctx is done.
func Start(ctx context.Context, kv *kvbind.Client, depth int) *Actor {
	a := &Actor{kv: kv, inbox: make(chan Request, depth), stopped: make(chan struct{})}
	go func() {
		defer close(a.stopped)
		for {
			select {
			case <-ctx.Done():
				return
			case req := <-a.inbox:
				req.Reply <- a.do(req)
			}
		}
	}()
	return a
}

func (a *Actor) do(req Request) Reply {
	switch req.Op {
	case OpGet:
		v, ok, err := a.kv.Lookup(req.Key)
		return Reply{Value: v, Found: ok, Err: err}
	case OpLoad:
		v, err := a.kv.Raw(req.Key)
		return Reply{Value: v, Found: err == nil, Err: err}
	case OpPut:
		var opts *kvbind.PutOpts
		if req.TTL > 0 {
			opts = &kvbind.PutOpts{TTL: req.TTL}
		}
		return Reply{Err: a.kv.Put(req.Key, req.Value, opts)}
	case OpDelete:
		return Reply{Err: a.kv.Delete(req.Key)}
	case OpList:
		res, err := a.kv.Page(req.Prefix, req.Cursor, req.Limit)
		if err != nil {
			return Reply{Err: err}
		}
		names := make([]string, len(res.Keys))
		for i, k := range res.Keys {
			names[i] = k.Name
		}
		return Reply{Keys: names, Cursor: res.Cursor, Complete: res.ListComplete}
	}
	return Reply{Err: errors.New("kvactor: unknown op")}
}

func (a *Actor) call(ctx context.Context, req Request) (Reply, error) {
	ch := make(chan Reply, 1)
	req.Reply = ch
	select {
	case a.inbox <- req:
	case <-a.stopped:
		return Reply{}, ErrStopped
	case <-ctx.Done():
		return Reply{}, ctx.Err()
	}
	select {
	case rep := <-ch:
		return rep, rep.Err
	case <-ctx.Done():
		return Reply{}, ctx.Err()
	}
}

// Get returns the value at key and whether it exists.
func (a *Actor) Get(ctx context.Context, key string) (string, bool, error) {
	rep, err := a.call(ctx, Request{Op: OpGet, Key: key})
	return rep.Value, rep.Found, err
}

// Load returns the binding's answer for key as it came back.
func (a *Actor) Load(ctx context.Context, key string) (string, error) {
	rep, err := a.call(ctx, Request{Op: OpLoad, Key: key})
	return rep.Value, err
}

// Put writes value at key; a ttl of zero keeps it forever.
func (a *Actor) Put(ctx context.Context, key, value string, ttl time.Duration) error {
	_, err := a.call(ctx, Request{Op: OpPut, Key: key, Value: value, TTL: ttl})
	return err
}

// Delete removes key.
func (a *Actor) Delete(ctx context.Context, key string) error {
	_, err := a.call(ctx, Request{Op: OpDelete, Key: key})
	return err
}

// Page is one page of key names.
type Page struct {
	Keys     []string
	Cursor   string
	Complete bool
}

// List returns one page of keys under prefix.
func (a *Actor) List(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	rep, err := a.call(ctx, Request{Op: OpList, Prefix: prefix, Cursor: cursor, Limit: limit})
	return Page{Keys: rep.Keys, Cursor: rep.Cursor, Complete: rep.Complete}, err
}
