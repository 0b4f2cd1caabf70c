package kvrace

import (
	"context"

	"github.com/syumai/workers/cloudflare/kv"
)

// run gives up on a blocking call when ctx ends; the value it returns is
// what f returns.
func run[T any](ctx context.Context, f func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := f()
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// guarded runs every KV call through run.
type guarded struct{ ns *kv.Namespace }

func (g guarded) get(ctx context.Context, key string) (string, error) {
	return run(ctx, func() (string, error) { return g.ns.GetString(key, nil) })
}

func (g guarded) put(ctx context.Context, key, value string) error {
	_, err := run(ctx, func() (struct{}, error) { return struct{}{}, g.ns.PutString(key, value, nil) })
	return err
}

func appendAudit(ctx context.Context, g guarded, user, line string) error {
	log, err := g.get(ctx, "audit:"+user)
	if err != nil {
		return err
	}
	return g.put(ctx, "audit:"+user, log+"\n"+line) // want `read-modify-write on one KV key`
}

// Quiet: what the runner returns here is not the read.
func stampAudit(ctx context.Context, g guarded, user string) error {
	stamp, err := run(ctx, func() (string, error) { return "reset", nil })
	if err != nil {
		return err
	}
	return g.put(ctx, "audit:"+user, stamp)
}
