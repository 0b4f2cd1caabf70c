package kvrace

import (
	"context"
	"encoding/json"
	"slices"

	"kvlint.test/cfv6/kvrace/textkv"
)

// A key that renders itself with MarshalText, which the store of another
// package names through encoding.TextMarshaler.
type scoreBoardKey struct{ Board string }

func (k scoreBoardKey) MarshalText() ([]byte, error) { return []byte("board:" + k.Board), nil }

// The same key, read, changed and written back through the store.
func submitBoardScore(ctx context.Context, s *textkv.Store, board, player string) error {
	k := scoreBoardKey{Board: board}
	raw, err := s.Get(ctx, k)
	if err != nil {
		return err
	}
	var top []string
	if err := json.Unmarshal(raw, &top); err != nil {
		return err
	}
	b, _ := json.Marshal(append(top, player))
	return s.Put(ctx, k, b) // want `read-modify-write on one KV key`
}

// Quiet: one board read, another written.
func copyScoreBoard(ctx context.Context, s *textkv.Store, from, to string) error {
	raw, err := s.Get(ctx, scoreBoardKey{Board: from})
	if err != nil {
		return err
	}
	return s.Put(ctx, scoreBoardKey{Board: to}, raw)
}

// The same key written as a literal at the get and again at the put.
func resetBoardScore(ctx context.Context, s *textkv.Store, board, player string) error {
	raw, err := s.Get(ctx, scoreBoardKey{Board: board})
	if err != nil {
		return err
	}
	var top []string
	if err := json.Unmarshal(raw, &top); err != nil {
		return err
	}
	top = slices.DeleteFunc(top, func(p string) bool { return p == player })
	b, _ := json.Marshal(top)
	return s.Put(ctx, scoreBoardKey{Board: board}, b) // want `read-modify-write on one KV key`
}
