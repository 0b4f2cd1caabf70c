//go:build js && wasm

// Package reminders turns booking events into scheduled SMS reminders and
// runs the cron sweep that sends them.
package reminders

import (
	"context"
	"errors"
	"time"

	"github.com/harborclinic/stint/internal/edgekv"
)

// ErrBusy is returned when the actor does not accept a request in time.
var ErrBusy = errors.New("reminders: store busy")

const callTimeout = 3 * time.Second

type op int

const (
	opGet op = iota
	opPut
	opDelete
	opPage
)

type request struct {
	op     op
	key    string
	value  string
	ttl    time.Duration
	cursor string
	reply  chan reply
}

type reply struct {
	value  string
	names  []string
	cursor string
	err    error
}

// Actor owns the REMINDERS namespace. Every KV call of the dispatcher and the
// sweep goes through its single goroutine.
type Actor struct {
	store *edgekv.Store
	reqs  chan request
	done  chan struct{}
}

// Start launches the actor's goroutine.
func Start(store *edgekv.Store) *Actor {
	a := &Actor{store: store, reqs: make(chan request), done: make(chan struct{})}
	go a.loop()
	return a
}

// Stop ends the actor's goroutine.
func (a *Actor) Stop() { close(a.done) }

func (a *Actor) loop() {
	for {
		select {
		case <-a.done:
			return
		case req := <-a.reqs:
			var rep reply
			switch req.op {
			case opGet:
				rep.value, rep.err = a.store.Get(req.key)
			case opPut:
				rep.err = a.store.Put(req.key, req.value, req.ttl)
			case opDelete:
				rep.err = a.store.Delete(req.key)
			case opPage:
				rep.names, rep.cursor, rep.err = edgekv.Prefix(req.key).Page(a.store, req.cursor, 100)
			}
			req.reply <- rep
		}
	}
}

func (a *Actor) call(ctx context.Context, req request) (reply, error) {
	req.reply = make(chan reply, 1)
	select {
	case a.reqs <- req:
	case <-ctx.Done():
		return reply{}, ctx.Err()
	case <-time.After(callTimeout):
		return reply{}, ErrBusy
	}
	select {
	case rep := <-req.reply:
		return rep, rep.err
	case <-ctx.Done():
		return reply{}, ctx.Err()
	}
}

// Get reads key; a missing key yields edgekv.ErrNotFound.
func (a *Actor) Get(ctx context.Context, key string) (string, error) {
	rep, err := a.call(ctx, request{op: opGet, key: key})
	return rep.value, err
}

// Put writes key with a lifetime (zero: no expiry).
func (a *Actor) Put(ctx context.Context, key, value string, ttl time.Duration) error {
	_, err := a.call(ctx, request{op: opPut, key: key, value: value, ttl: ttl})
	return err
}

// Delete removes key.
func (a *Actor) Delete(ctx context.Context, key string) error {
	_, err := a.call(ctx, request{op: opDelete, key: key})
	return err
}

// Page lists one page of keys under prefix.
func (a *Actor) Page(ctx context.Context, prefix, cursor string) ([]string, string, error) {
	rep, err := a.call(ctx, request{op: opPage, key: prefix, cursor: cursor})
	return rep.names, rep.cursor, err
}
