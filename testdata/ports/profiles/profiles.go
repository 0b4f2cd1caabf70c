// Package profiles reads and writes through generic helpers that take the
// halves of the port: the Store it holds is seen as a Getter, then a Setter.
package profiles

import (
	"context"

	"kvlint.test/ports/store"
)

type Profile struct {
	Name  string
	Likes map[string]int
}

type Profiles struct{ S store.Store }

func (p *Profiles) Rename(ctx context.Context, id, name string) error {
	prof, err := store.GetJSON[Profile](ctx, p.S, "profile:"+id)
	if err != nil {
		return err
	}
	prof.Name = name
	return store.PutJSON(ctx, p.S, "profile:"+id, prof) // kvrace
}

func (p *Profiles) Like(ctx context.Context, id, topic string) error {
	likes, err := store.GetJSON[map[string]int](ctx, p.S, "likes:"+id)
	if err != nil {
		return err
	}
	if likes == nil {
		likes = map[string]int{}
	}
	likes[topic]++
	return store.PutJSON(ctx, p.S, "likes:"+id, likes) // kvcounter
}

// Create writes a profile it did not read: no race.
func (p *Profiles) Create(ctx context.Context, id, name string) error {
	return store.PutJSON(ctx, p.S, "profile:"+id, Profile{Name: name})
}
