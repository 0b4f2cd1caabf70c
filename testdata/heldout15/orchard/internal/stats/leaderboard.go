package stats

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/orchard/internal/gen"
	"example.com/orchard/internal/ids"
	"example.com/orchard/internal/kvstore"
)

const (
	scorePrefix    = "scores/"
	boardKey       = "leaderboard/current"
	weeklyBoardKey = "leaderboard/weekly"
	boardSize      = 25
)

// Entry is one row of a published leaderboard.
type Entry = gen.Pair[ids.GrowerID, int]

// Board keeps harvest scores submitted to this process and publishes the
// top growers for the storefront.
type Board struct {
	store kvstore.Store

	mu     sync.Mutex
	scores map[ids.GrowerID]int
}

func NewBoard(store kvstore.Store) *Board {
	return &Board{store: store, scores: map[ids.GrowerID]int{}}
}

// Submit records a grower's latest harvest score and republishes the board.
func (b *Board) Submit(ctx context.Context, g ids.GrowerID, score int) error {
	b.mu.Lock()
	if score > b.scores[g] {
		b.scores[g] = score
	}
	top := gen.TopN(b.scores, boardSize)
	b.mu.Unlock()

	data, err := json.Marshal(top)
	if err != nil {
		return err
	}
	return b.store.Put(ctx, boardKey, data, kvstore.PutOptions{}) // EXPECT kvhotkey
}

// RecordScore stores the score for the weekly rebuild. The score is kept in
// the key metadata so the rebuild only needs to list keys.
func (b *Board) RecordScore(ctx context.Context, g ids.GrowerID, score int) error {
	return b.store.Put(ctx, scorePrefix+g.String(), nil, kvstore.PutOptions{
		TTL:      8 * 24 * time.Hour,
		Metadata: map[string]string{"score": strconv.Itoa(score)},
	})
}

// RebuildWeekly recomputes the weekly board from recorded scores.
func (b *Board) RebuildWeekly(ctx context.Context, maxPages int) ([]Entry, error) {
	scores := map[ids.GrowerID]int{}
	q := kvstore.ListQuery{Prefix: scorePrefix}
	for page := 0; page < maxPages; page++ {
		p, err := b.store.List(ctx, q) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		if len(p.Keys) == 0 {
			break
		}
		for _, k := range p.Keys {
			n, err := strconv.Atoi(k.Metadata["score"])
			if err != nil {
				continue
			}
			scores[ids.GrowerID(strings.TrimPrefix(k.Name, scorePrefix))] = n
		}
		if p.Complete {
			break
		}
		q.Cursor = p.Cursor
	}
	top := gen.TopN(scores, boardSize)
	data, err := json.Marshal(top)
	if err != nil {
		return nil, err
	}
	return top, b.store.Put(ctx, weeklyBoardKey, data, kvstore.PutOptions{})
}
