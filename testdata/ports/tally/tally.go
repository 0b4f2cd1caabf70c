// Package tally counts likes through a table of functions that main
// fills with closures over the store: no named function to follow.
package tally

import (
	"context"
	"strconv"
)

// Ops is a hand-made table of the KV calls the package needs.
type Ops struct {
	Get func(ctx context.Context, key string) (string, error)
	Put func(ctx context.Context, key, value string) error
}

type Likes struct{ Ops Ops }

// Like counts one like of post: a counter kept in KV.
func (l *Likes) Like(ctx context.Context, post string) error {
	v, err := l.Ops.Get(ctx, "likes:"+post)
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(v)
	return l.Ops.Put(ctx, "likes:"+post, strconv.Itoa(n+1)) // kvcounter
}
