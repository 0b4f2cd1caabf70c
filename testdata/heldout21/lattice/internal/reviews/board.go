package reviews

import (
	"cmp"
	"context"
	"slices"
	"time"

	"example.com/lattice/internal/conf"
	"example.com/lattice/internal/platform/kvstore"
	"example.com/lattice/internal/platform/typedkv"
)

// BoardRow is one line of the chairs' discussion board.
type BoardRow struct {
	Paper   conf.PaperID `json:"paper"`
	Mean    float64      `json:"mean"`
	Spread  int          `json:"spread"`
	Reviews int          `json:"reviews"`
}

// Board is the cached, sorted view the chairs page renders.
type Board struct {
	Conference conf.ConferenceID `json:"conference"`
	Rows       []BoardRow        `json:"rows"`
	BuiltAt    time.Time         `json:"built_at"`
}

// BoardSource builds a board from the authoritative summaries.
type BoardSource interface {
	Papers(ctx context.Context, c conf.ConferenceID) ([]conf.PaperID, error)
}

// Boards is a read-through cache of discussion boards.
type Boards struct {
	svc    *Service
	source BoardSource
	cache  typedkv.Store[conf.ConferenceID, Board]
	live   typedkv.Store[conf.PaperID, BoardRow]
}

// NewBoards wires the board cache.
func NewBoards(svc *Service, source BoardSource, store kvstore.Store) *Boards {
	return &Boards{
		svc:    svc,
		source: source,
		cache:  typedkv.New[conf.ConferenceID, Board](store, "board:"),
		live:   typedkv.New[conf.PaperID, BoardRow](store, "board:live:"),
	}
}

// Get returns the board, building and caching it on a miss.
func (b *Boards) Get(ctx context.Context, c conf.ConferenceID) (Board, error) {
	board, found, err := b.cache.Lookup(ctx, c)
	if err != nil || found {
		return board, err
	}
	board, err = b.build(ctx, c)
	if err != nil {
		return Board{}, err
	}
	if err := b.cache.Put(ctx, c, board, 5*time.Minute); err != nil {
		return Board{}, err
	}
	return board, nil
}

func (b *Boards) build(ctx context.Context, c conf.ConferenceID) (Board, error) {
	ids, err := b.source.Papers(ctx, c)
	if err != nil {
		return Board{}, err
	}
	board := Board{Conference: c, BuiltAt: time.Now()}
	for _, id := range ids {
		sum, found, err := b.svc.summaries.Lookup(ctx, id)
		if err != nil {
			return Board{}, err
		}
		if !found {
			continue
		}
		board.Rows = append(board.Rows, BoardRow{Paper: id, Mean: sum.Mean, Spread: sum.Spread, Reviews: len(sum.Scores)})
	}
	slices.SortFunc(board.Rows, func(x, y BoardRow) int {
		return cmp.Or(cmp.Compare(y.Mean, x.Mean), cmp.Compare(x.Spread, y.Spread))
	})
	return board, nil
}

// Highlight refreshes the single row of a paper under live discussion so the
// chairs' room display picks it up quickly.
func (b *Boards) Highlight(ctx context.Context, p conf.PaperID) error {
	sum, found, err := b.svc.summaries.Lookup(ctx, p)
	if err != nil || !found {
		return err
	}
	row := BoardRow{Paper: p, Mean: sum.Mean, Spread: sum.Spread, Reviews: len(sum.Scores)}
	return b.live.Put(ctx, p, row, 20*time.Second) // EXPECT kvttl
}
