package kvrace

import (
	"context"
	"io"

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

// lineWriter buffers what is written to it and stores it on Close.
type lineWriter struct {
	ns  *kv.Namespace
	key string
	buf []byte
}

func newLineWriter(ns *kv.Namespace, key string) *lineWriter { return &lineWriter{ns: ns, key: key} }

func (w *lineWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	return len(p), nil
}

func (w *lineWriter) Close() error { return w.ns.PutString(w.key, string(w.buf), nil) }

// The old log is copied into the writer, a line added, and Close writes
// it back.
func appendLine(ns *kv.Namespace, key, line string) error {
	old, err := ns.GetReader(key, nil)
	if err != nil {
		return err
	}
	w := newLineWriter(ns, key)
	if _, err := io.Copy(w, old); err != nil {
		return err
	}
	if _, err := io.WriteString(w, line+"\n"); err != nil {
		return err
	}
	return w.Close() // want `read-modify-write on one KV key`
}

// Quiet: a fresh log, whose writer is given nothing read.
func resetLog(ns *kv.Namespace, key, line string) error {
	w := newLineWriter(ns, key)
	if _, err := io.WriteString(w, line+"\n"); err != nil {
		return err
	}
	return w.Close()
}
