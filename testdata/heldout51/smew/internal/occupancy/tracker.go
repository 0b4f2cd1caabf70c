// Package occupancy tracks how many bays are taken in each zone. Sensor
// gateways report arrivals and departures to the back office, where one
// goroutine owns every occupancy write.
package occupancy

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"example.com/smew/internal/kvstore"
	"example.com/smew/internal/routing"
)

// ErrStopped is returned once the tracker's Run loop has exited.
var ErrStopped = errors.New("occupancy: tracker stopped")

// request is one message to the actor; a read has read set and no delta.
type request struct {
	read  bool
	zone  string
	delta int
	reply chan kvstore.Result[int]
}

// Tracker is an actor: Run serves requests from a channel, one at a time,
// and every request carries the channel its answer goes back on.
type Tracker struct {
	stores *routing.Stores
	reqs   chan request
	done   chan struct{}
}

// NewTracker returns a tracker whose zones are spread over the shard
// namespaces of stores.
func NewTracker(stores *routing.Stores, backlog int) *Tracker {
	return &Tracker{stores: stores, reqs: make(chan request, backlog), done: make(chan struct{})}
}

// Run serves requests until ctx is cancelled.
func (t *Tracker) Run(ctx context.Context) {
	defer close(t.done)
	for {
		select {
		case <-ctx.Done():
			return
		case req := <-t.reqs:
			req.reply <- t.serve(ctx, req)
		}
	}
}

func occupiedKey(zone string) string { return "occupied:" + zone }

func (t *Tracker) serve(ctx context.Context, req request) kvstore.Result[int] {
	st, err := t.stores.Shard(ctx, req.zone)
	if err != nil {
		return kvstore.Fail[int](err)
	}
	key := occupiedKey(req.zone)
	opt, err := st.Get(ctx, key)
	if err != nil {
		return kvstore.Fail[int](err)
	}
	cur := 0
	if opt.Found {
		if cur, err = strconv.Atoi(string(opt.Value)); err != nil {
			return kvstore.Fail[int](fmt.Errorf("occupancy: corrupt count for %s: %w", req.zone, err))
		}
	}
	if req.read {
		return kvstore.Ok(cur)
	}
	next := max(cur+req.delta, 0)
	if err := st.Put(ctx, key, []byte(strconv.Itoa(next)), 0); err != nil { // EXPECT kvcounter|kvrace
		return kvstore.Fail[int](err)
	}
	return kvstore.Ok(next)
}

func (t *Tracker) call(ctx context.Context, req request) (int, error) {
	req.reply = make(chan kvstore.Result[int], 1)
	select {
	case t.reqs <- req:
	case <-t.done:
		return 0, ErrStopped
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	select {
	case res := <-req.reply:
		return res.Unpack()
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// Adjust applies an arrival (+1) or departure (-1) and returns the new count.
func (t *Tracker) Adjust(ctx context.Context, zone string, delta int) (int, error) {
	return t.call(ctx, request{zone: zone, delta: delta})
}

// Current returns the zone's count.
func (t *Tracker) Current(ctx context.Context, zone string) (int, error) {
	return t.call(ctx, request{read: true, zone: zone})
}
