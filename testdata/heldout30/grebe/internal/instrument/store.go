package instrument

import (
	"context"

	"example.com/grebe/internal/store"
)

// Store wraps another port and reports each call to a recorder.
type Store struct {
	next store.Store
	rec  Recorder
	name string
}

var _ store.Store = Store{}

// Wrap decorates next. name distinguishes namespaces in the samples.
func Wrap(next store.Store, rec Recorder, name string) Store {
	return Store{next: next, rec: rec, name: name}
}

func (s Store) observe(ctx context.Context, op string, fn func(context.Context) error) error {
	return Observe(ctx, s.rec, s.name+"."+op, fn)
}

func (s Store) Get(ctx context.Context, key string) ([]byte, error) {
	var out []byte
	err := s.observe(ctx, "kv.get", func(ctx context.Context) error {
		var err error
		out, err = s.next.Get(ctx, key)
		return err
	})
	return out, err
}

func (s Store) Put(ctx context.Context, key string, value []byte, o store.PutOptions) error {
	return s.observe(ctx, "kv.put", func(ctx context.Context) error {
		return s.next.Put(ctx, key, value, o)
	})
}

func (s Store) Delete(ctx context.Context, key string) error {
	return s.observe(ctx, "kv.delete", func(ctx context.Context) error {
		return s.next.Delete(ctx, key)
	})
}

func (s Store) List(ctx context.Context, o store.ListOptions) (store.Page, error) {
	var p store.Page
	err := s.observe(ctx, "kv.list", func(ctx context.Context) error {
		var err error
		p, err = s.next.List(ctx, o)
		return err
	})
	return p, err
}
