package metrics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"example.com/quarry/internal/codec"
	"example.com/quarry/internal/storage"
)

// Entry is one leaderboard row: who, and their best score.
type Entry = codec.Pair[string, float64]

// Board keeps the top N scores per board (one board per saved query: the
// fastest runs, in queries per second).
type Board struct {
	store  storage.Store
	format string // e.g. "board/%s"
	size   int
}

func NewBoard(store storage.Store, format string, size int) *Board {
	return &Board{store: store, format: format, size: max(size, 1)}
}

func (b *Board) Top(ctx context.Context, board string) ([]Entry, error) {
	raw, err := b.store.Get(ctx, fmt.Sprintf(b.format, board))
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var entries []Entry
	if err := json.Unmarshal(raw, &entries); err != nil {
		return nil, fmt.Errorf("metrics: decode board %s: %w", board, err)
	}
	return entries, nil
}

// Submit records e if it beats the holder's previous best.
func (b *Board) Submit(ctx context.Context, board string, e Entry) (rank int, err error) {
	entries, err := b.Top(ctx, board)
	if err != nil {
		return 0, err
	}
	found := false
	for i := range entries {
		if entries[i].Key == e.Key {
			found = true
			if e.Value <= entries[i].Value {
				return 0, nil
			}
			entries[i].Value = e.Value
		}
	}
	if !found {
		entries = append(entries, e)
	}
	entries = codec.TopN(entries, b.size)
	for i := range entries {
		if entries[i].Key == e.Key {
			rank = i + 1
		}
	}
	if rank == 0 {
		return 0, nil
	}
	out, err := json.Marshal(entries)
	if err != nil {
		return 0, err
	}
	return rank, b.store.Put(ctx, fmt.Sprintf(b.format, board), out, storage.PutOptions{TTL: 30 * 24 * time.Hour}) // EXPECT kvrace
}
