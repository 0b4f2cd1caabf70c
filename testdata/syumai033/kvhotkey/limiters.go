package kvhotkey

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
	"golang.org/x/time/rate"
)

// Quiet: the limiter lets one write through every two seconds.
func backfillPaced(ctx context.Context, ns *kv.Namespace, ids []string) error {
	limiter := rate.NewLimiter(rate.Every(2*time.Second), 1)
	for i, id := range ids {
		if err := limiter.Wait(ctx); err != nil {
			return err
		}
		if err := ns.PutString("backfill:cursor", id+":"+strconv.Itoa(i), nil); err != nil {
			return err
		}
	}
	return nil
}

// Fifty a second is forty-nine too many for one key.
func backfillFast(ctx context.Context, ns *kv.Namespace, ids []string) error { // want backfillFast:"kvhotkey"
	limiter := rate.NewLimiter(50, 5)
	for _, id := range ids {
		if err := limiter.Wait(ctx); err != nil {
			return err
		}
		if err := ns.PutString("backfill:last", id, nil); err != nil { // want `this loop writes the same KV key on every iteration`
			return err
		}
	}
	return nil
}

type mirror struct {
	ns      *kv.Namespace
	limiter *rate.Limiter
}

func newMirror(ns *kv.Namespace) *mirror {
	return &mirror{ns: ns, limiter: rate.NewLimiter(rate.Every(100*time.Millisecond), 1)}
}

// The limiter kept in the field lets ten writes a second through.
func (m *mirror) follow(ctx context.Context, events <-chan string) error { // want follow:"kvhotkey"
	for ev := range events {
		if err := m.limiter.Wait(ctx); err != nil {
			return err
		}
		if err := m.ns.PutString("mirror:last-event", ev, nil); err != nil { // want `this loop writes the same KV key on every iteration`
			return err
		}
	}
	return nil
}

// Quiet: half a write a second.
func (m *mirror) heartbeat(ctx context.Context, n int) error {
	slow := rate.NewLimiter(rate.Limit(0.5), 1)
	for i := range n {
		if err := slow.Wait(ctx); err != nil {
			return err
		}
		if err := m.ns.PutString("mirror:beat", strconv.Itoa(i), nil); err != nil {
			return err
		}
	}
	return nil
}

// Quiet: the body of a range over an iterator waits for the limiter too.
func (m *mirror) replay(ctx context.Context, events []string) error {
	limiter := rate.NewLimiter(rate.Every(2*time.Second), 1)
	for _, ev := range slices.Backward(events) {
		if err := limiter.Wait(ctx); err != nil {
			return err
		}
		if err := m.ns.PutString("mirror:replayed", ev, nil); err != nil {
			return err
		}
	}
	return nil
}

// Twenty-five a second, captured by the body of the range.
func (m *mirror) replayFast(ctx context.Context, events []string) error { // want replayFast:"kvhotkey"
	limiter := rate.NewLimiter(rate.Limit(25), 5)
	for i, ev := range slices.All(events) {
		if err := limiter.Wait(ctx); err != nil {
			return err
		}
		if err := m.ns.PutString("mirror:replay-progress", ev+strconv.Itoa(i), nil); err != nil { // want `this loop writes the same KV key on every iteration`
			return err
		}
	}
	return nil
}
