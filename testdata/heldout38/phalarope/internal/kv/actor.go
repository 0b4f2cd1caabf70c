package kv

import (
	"context"
	"errors"
	"strconv"
	"time"
)

// ErrBusy is returned when the actor does not answer in time.
var ErrBusy = errors.New("kv: actor busy")

type opcode int

const (
	opGet opcode = iota
	opPut
	opDelete
	opAdd
)

type command struct {
	op    opcode
	key   string
	value []byte
	ttl   time.Duration
	delta int64
	reply chan reply
}

type reply struct {
	value []byte
	n     int64
	err   error
}

// Actor owns a KV client and serialises all access to one namespace through
// a single goroutine, so that the metering pipeline never has two in-flight
// requests for the same key from this process.
type Actor struct {
	c       *Client
	ns      Namespace
	cmds    chan command
	timeout time.Duration
}

// StartActor starts the goroutine; it stops when ctx is done.
func StartActor(ctx context.Context, c *Client, ns Namespace, queue int, timeout time.Duration) *Actor {
	a := &Actor{c: c, ns: ns, cmds: make(chan command, queue), timeout: timeout}
	go a.run(ctx)
	return a
}

func (a *Actor) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case cmd := <-a.cmds:
			cmd.reply <- a.handle(ctx, cmd)
		}
	}
}

func (a *Actor) handle(ctx context.Context, cmd command) reply {
	switch cmd.op {
	case opGet:
		v, err := a.ns.Get(ctx, a.c, cmd.key)
		return reply{value: v, err: err}
	case opPut:
		return reply{err: putValue(ctx, a.c, a.ns, cmd.key, cmd.value, cmd.ttl)}
	case opDelete:
		return reply{err: a.ns.Delete(ctx, a.c, cmd.key)}
	case opAdd:
		var n int64
		raw, err := a.ns.Get(ctx, a.c, cmd.key)
		switch {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			return reply{err: err}
		default:
			if n, err = strconv.ParseInt(string(raw), 10, 64); err != nil {
				return reply{err: err}
			}
		}
		n += cmd.delta
		err = putValue(ctx, a.c, a.ns, cmd.key, []byte(strconv.FormatInt(n, 10)), cmd.ttl) // EXPECT kvcounter|kvrace
		return reply{n: n, err: err}
	}
	return reply{err: errors.New("kv: unknown op")}
}

func (a *Actor) send(ctx context.Context, cmd command) reply {
	cmd.reply = make(chan reply, 1)
	timer := time.NewTimer(a.timeout)
	defer timer.Stop()
	select {
	case a.cmds <- cmd:
	case <-ctx.Done():
		return reply{err: ctx.Err()}
	case <-timer.C:
		return reply{err: ErrBusy}
	}
	select {
	case r := <-cmd.reply:
		return r
	case <-ctx.Done():
		return reply{err: ctx.Err()}
	case <-timer.C:
		return reply{err: ErrBusy}
	}
}

// Get reads key through the actor.
func (a *Actor) Get(ctx context.Context, key string) ([]byte, error) {
	r := a.send(ctx, command{op: opGet, key: key})
	return r.value, r.err
}

// Put writes key through the actor.
func (a *Actor) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return a.send(ctx, command{op: opPut, key: key, value: value, ttl: ttl}).err
}

// Delete removes key through the actor.
func (a *Actor) Delete(ctx context.Context, key string) error {
	return a.send(ctx, command{op: opDelete, key: key}).err
}

// Add adds delta to the integer stored under key and returns the new total.
func (a *Actor) Add(ctx context.Context, key string, delta int64, ttl time.Duration) (int64, error) {
	r := a.send(ctx, command{op: opAdd, key: key, delta: delta, ttl: ttl})
	return r.n, r.err
}
