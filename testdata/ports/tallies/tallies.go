// Package tallies keeps per-show tallies through a port whose methods
// start reads and writes, built in steps by the adapter.
package tallies

import (
	"context"

	"kvlint.test/ports/tallies/kvsteps"
)

// Steps is the port: the KV adapter's Namespace implements it.
type Steps interface {
	Read(key string) *kvsteps.ReadOp
	Write(key string) *kvsteps.WriteOp
}

type tally struct{ Plays int }

// Play reads the tally, adds one and writes it back: a counter in KV.
func Play(ctx context.Context, s Steps, show string) error {
	var t tally
	if err := s.Read("plays:"+show).Into(ctx, &t); err != nil {
		return err
	}
	t.Plays++
	return s.Write("plays:" + show).JSON(t).Do(ctx)
}

// Wire gives the service its adapter.
func Wire(ns *kvsteps.Namespace) Steps { return ns }
