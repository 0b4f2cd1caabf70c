// Package leaderboard keeps per-mode and per-season leaderboards. The
// authoritative scores live in the match database; KV holds the rendered
// top lists the edge serves.
package leaderboard

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/samber/lo"

	"github.com/arcadia-games/bushtit/internal/kvstore"
)

// BoardID names a leaderboard, e.g. "ranked-duel/eu/s12".
type BoardID struct {
	Mode, Region, Season string
}

func (b BoardID) String() string { return fmt.Sprintf("board:%s:%s:%s", b.Mode, b.Region, b.Season) }

// Score is one leaderboard row.
type Score struct {
	Player string    `json:"player"`
	Points int       `json:"points"`
	At     time.Time `json:"at"`
}

const topSize = 100

// Boards renders leaderboards into KV.
type Boards struct {
	KV kvstore.Store

	mu    sync.Mutex
	views map[BoardID]int
}

// Submit records a finished match's score in the board's top list. It
// returns immediately; the write happens in the background.
func (b *Boards) Submit(ctx context.Context, id BoardID, s Score) {
	kvstore.Go("leaderboard submit", func() error {
		var top []Score
		if _, err := kvstore.LoadJSON(ctx, b.KV, id.String(), &top); err != nil {
			return err
		}
		top = append(top, s)
		slices.SortFunc(top, func(a, b Score) int { return cmp.Compare(b.Points, a.Points) })
		top = top[:min(len(top), topSize)]
		return kvstore.SaveJSON(ctx, b.KV, id.String(), top, 0) // EXPECT kvrace
	})
}

// Publish replaces a board's top list with rows computed by the database.
func (b *Boards) Publish(ctx context.Context, id BoardID, rows []Score) error {
	top := slices.Clone(rows)
	slices.SortStableFunc(top, func(a, b Score) int { return cmp.Compare(b.Points, a.Points) })
	return kvstore.SaveJSON(ctx, b.KV, id.String(), top[:min(len(top), topSize)], 0)
}

// Replay rebuilds a board from a match log, newest match last, keeping the
// edge's copy current while it works through the log.
func (b *Boards) Replay(ctx context.Context, id BoardID, log []Score) error {
	best := map[string]Score{}
	for _, s := range slices.Backward(log) {
		if cur, ok := best[s.Player]; !ok || s.Points > cur.Points {
			best[s.Player] = s
		}
		top := lo.Values(best)
		slices.SortFunc(top, func(a, b Score) int { return cmp.Compare(b.Points, a.Points) })
		if err := kvstore.SaveJSON(ctx, b.KV, id.String(), top[:min(len(top), topSize)], 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// PublishRanks writes one rank card per player in the top list.
func (b *Boards) PublishRanks(ctx context.Context, id BoardID, top []Score) error {
	n := min(len(top), topSize)
	var errs []error
	for i := range n {
		card := map[string]any{"board": id.String(), "rank": i + 1, "points": top[i].Points}
		key := "rank:" + top[i].Player + ":" + id.Season
		errs = append(errs, kvstore.SaveJSON(ctx, b.KV, key, card, 24*time.Hour))
	}
	return errors.Join(errs...)
}

// Viewed is called for every leaderboard page view.
func (b *Boards) Viewed(id BoardID) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.views == nil {
		b.views = map[BoardID]int{}
	}
	b.views[id]++
}

// FlushViews writes the view tallies. Called once a minute by the scheduler.
func (b *Boards) FlushViews(ctx context.Context) error {
	b.mu.Lock()
	snapshot := b.views
	b.views = nil
	b.mu.Unlock()
	var errs []error
	lo.ForEach(lo.Keys(snapshot), func(id BoardID, _ int) {
		key := "views:" + id.String()
		errs = append(errs, b.KV.Put(ctx, kvstore.Entry{Key: key, Value: []byte(strconv.Itoa(snapshot[id]))})) // EXPECT kvcounter
	})
	return errors.Join(errs...)
}

// AppendResult adds a line to the player's recent-results feed.
func (b *Boards) AppendResult(ctx context.Context, player, line string) error {
	key := "feed:" + player
	old, err := b.KV.Get(ctx, key)
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	lines := strings.Split(strings.TrimSpace(string(old)), "\n")
	if len(lines) > 49 {
		old = []byte(strings.Join(lines[len(lines)-49:], "\n"))
	}
	feed := string(old) + "\n" + line
	return b.KV.Put(ctx, kvstore.Entry{Key: key, Value: []byte(feed), TTL: 7 * 24 * 3600}) // EXPECT kvrace
}

// RecordGame bumps a player's lifetime stats after a match.
func (b *Boards) RecordGame(ctx context.Context, player string, won bool) error {
	return kvstore.Mutate(ctx, b.KV, "stats:"+player, 0, func(old []byte) ([]byte, error) {
		var st struct {
			Games int `json:"games"`
			Wins  int `json:"wins"`
		}
		if old != nil {
			if err := json.Unmarshal(old, &st); err != nil {
				return nil, err
			}
		}
		st.Games++
		st.Wins += lo.Ternary(won, 1, 0)
		return json.Marshal(st)
	})
}
