// Package observe times storage calls and reports them to a Recorder.
package observe

import (
	"cmp"
	"context"
	"errors"
	"expvar"
	"log/slog"
	"time"

	"example.com/curlew/internal/kv"
)

// Recorder receives one sample per storage call.
type Recorder interface {
	Record(ctx context.Context, op string, took time.Duration, err error)
}

type expvarRecorder struct{ calls, errs *expvar.Map }

func (r expvarRecorder) Record(ctx context.Context, op string, took time.Duration, err error) {
	r.calls.Add(op, 1)
	if err != nil && !kv.IsNotFound(err) {
		r.errs.Add(op, 1)
	}
	if took > 750*time.Millisecond {
		slog.WarnContext(ctx, "slow storage call", "op", op, "took", took)
	}
}

// Default publishes counters through expvar and logs slow calls.
var Default Recorder = expvarRecorder{calls: expvar.NewMap("kv_calls"), errs: expvar.NewMap("kv_errors")}

// Call runs fn and reports how long it took under op.
func Call(ctx context.Context, op string, fn func(context.Context) error) error {
	return CallWith(ctx, Default, op, fn)
}

// CallWith is Call with an explicit recorder.
func CallWith(ctx context.Context, r Recorder, op string, fn func(context.Context) error) error {
	start := time.Now()
	err := fn(ctx)
	r.Record(ctx, op, time.Since(start), err)
	return err
}

// Traced decorates a kv.Store so that every call is observed.
type Traced struct {
	next kv.Store
	name string
	rec  Recorder
}

// Wrap returns s wrapped in a Traced decorator named name.
func Wrap(s kv.Store, name string, r Recorder) *Traced {
	return &Traced{next: s, name: name, rec: cmp.Or(r, Default)}
}

var _ kv.Store = (*Traced)(nil)

func (t *Traced) observe(ctx context.Context, op string, fn func(context.Context) error) error {
	return CallWith(ctx, t.rec, t.name+"."+op, fn)
}

func (t *Traced) Get(ctx context.Context, key string) (out []byte, err error) {
	err = t.observe(ctx, "get", func(ctx context.Context) error {
		out, err = t.next.Get(ctx, key)
		return err
	})
	return out, err
}

func (t *Traced) Put(ctx context.Context, key string, value []byte, opts ...kv.PutOption) error {
	return t.observe(ctx, "put", func(ctx context.Context) error {
		return t.next.Put(ctx, key, value, opts...)
	})
}

func (t *Traced) Delete(ctx context.Context, key string) error {
	return t.observe(ctx, "delete", func(ctx context.Context) error {
		return t.next.Delete(ctx, key)
	})
}

func (t *Traced) List(ctx context.Context, p kv.ListParams) (page kv.Page, err error) {
	err = t.observe(ctx, "list", func(ctx context.Context) error {
		page, err = t.next.List(ctx, p)
		return err
	})
	return page, err
}

// PutMany forwards to the wrapped store, which must support bulk writes.
func (t *Traced) PutMany(ctx context.Context, entries []kv.Entry) error {
	return t.observe(ctx, "put_many", func(ctx context.Context) error {
		bw, ok := t.next.(kv.BulkWriter)
		if !ok {
			return errors.New("observe: wrapped store has no bulk writes")
		}
		return bw.PutMany(ctx, entries)
	})
}
