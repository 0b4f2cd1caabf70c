// Package handles keeps records in a generic repository over the port,
// which it hands to the JSON helpers as the Getter and Setter halves; each
// record carries its own key.
package handles

import (
	"context"
	"errors"
	"time"

	"kvlint.test/ports/store"
)

type Keyer interface{ Key() string }

type Docs[T Keyer] struct {
	S      store.Store
	Prefix string
}

func (d *Docs[T]) Get(ctx context.Context, id string) (T, error) {
	return store.GetJSON[T](ctx, d.S, d.Prefix+id)
}

func (d *Docs[T]) Save(ctx context.Context, v T) error {
	return store.PutJSON(ctx, d.S, d.Prefix+v.Key(), v)
}

type Handle struct{ Name, Owner string }

func (h Handle) Key() string { return h.Name }

var ErrTaken = errors.New("handle taken")

// Claim checks that the name is free, then saves a record keyed by it.
func Claim(ctx context.Context, d *Docs[Handle], name, owner string) error {
	if _, err := d.Get(ctx, name); err == nil {
		return ErrTaken
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return d.Save(ctx, Handle{Name: name, Owner: owner}) // kvrace
}

// Put stores v under an id its caller gives.
func (d *Docs[T]) Put(ctx context.Context, id string, v T) error {
	return store.PutJSON(ctx, d.S, d.Prefix+id, v)
}

func newName() string { return "h-" + time.Now().Format("150405.000000") }

// Rename stores the record read under a new name, set here: a new record,
// not the old one written back.
func Rename(ctx context.Context, d *Docs[Handle], old string) (Handle, error) {
	h, err := d.Get(ctx, old)
	if err != nil {
		return Handle{}, err
	}
	h.Name = newName()
	return h, d.Put(ctx, h.Name, h)
}
