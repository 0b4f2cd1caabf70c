// Package leaderboard serves season rankings. The ranking of record lives in
// the scores database (Source); KV holds read-shaped copies for the edge.
package leaderboard

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"example.com/dunlin/internal/keys"
	"example.com/dunlin/internal/kvstore"
)

// Store is the storage port of the leaderboard.
type Store = kvstore.Store

// Entry is one ranked player.
type Entry struct {
	Player string `json:"player"`
	Score  int64  `json:"score"`
}

// Source is the scores database.
type Source interface {
	Top(ctx context.Context, season string, offset, n int) ([]Entry, error)
	Record(ctx context.Context, season, player string, score int64) error
}

// cache is the KV read-through layer. KV cannot hold anything for less than
// a minute, so shorter requests are rounded up.
type cache struct {
	st Store
}

func (c cache) get(ctx context.Context, key string, v any) (bool, error) {
	raw, err := c.st.Get(ctx, key)
	if kvstore.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, json.Unmarshal(raw, v)
}

func (c cache) put(ctx context.Context, key string, v any, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return c.st.Put(ctx, key, raw, kvstore.WithTTL(ttl))
}

// Board answers leaderboard queries.
type Board struct {
	src     Source
	ks      keys.Space
	c       cache
	topN    int
	feedLen int
}

// New returns a board; call SetStore before use.
func New(src Source, ks keys.Space) *Board {
	return &Board{src: src, ks: ks, topN: 100, feedLen: 50}
}

func (b *Board) SetStore(st Store) { b.c = cache{st: st} }

// Top returns the season's top entries, cached briefly at the edge.
func (b *Board) Top(ctx context.Context, season string) ([]Entry, error) {
	var top []Entry
	key := b.ks.Board(season)
	if ok, err := b.c.get(ctx, key, &top); err != nil || ok {
		return top, err
	}
	top, err := b.src.Top(ctx, season, 0, b.topN)
	if err != nil {
		return nil, err
	}
	return top, b.c.put(ctx, key, top, 15*time.Second)
}

// Submit records a finished match score.
func (b *Board) Submit(ctx context.Context, season, player string, score int64) error {
	if err := b.src.Record(ctx, season, player, score); err != nil {
		return err
	}
	if err := b.pushFeed(ctx, season, Entry{Player: player, Score: score}); err != nil {
		return err
	}
	return b.raiseBest(ctx, season, player, score)
}

// pushFeed prepends to the "recent scores" ticker shown in the lobby.
func (b *Board) pushFeed(ctx context.Context, season string, e Entry) error {
	var feed []Entry
	key := b.ks.Feed(season)
	if _, err := b.c.get(ctx, key, &feed); err != nil {
		return err
	}
	feed = slices.Insert(feed, 0, e)
	if len(feed) > b.feedLen {
		feed = feed[:b.feedLen]
	}
	return b.c.put(ctx, key, feed, time.Hour) // EXPECT kvrace
}

// raiseBest keeps the player's personal best for the profile card.
func (b *Board) raiseBest(ctx context.Context, season, player string, score int64) error {
	var best Entry
	key := b.ks.Best(season, player)
	if ok, err := b.c.get(ctx, key, &best); err != nil || (ok && best.Score >= score) {
		return err
	}
	return b.c.put(ctx, key, Entry{Player: player, Score: score}, 30*24*time.Hour) // DEBATABLE kvrace
}

// Publish copies the full ranking into KV shards of 500 entries for the
// season results page, refreshing the headline snapshot as it goes.
func (b *Board) Publish(ctx context.Context, season string, pages int) error {
	var head []Entry
	for i := range pages {
		part, err := b.src.Top(ctx, season, i*500, 500)
		if err != nil {
			return err
		}
		if len(part) == 0 {
			break
		}
		if err := b.c.put(ctx, b.ks.Shard(season, i), part, 24*time.Hour); err != nil {
			return fmt.Errorf("leaderboard: shard %d: %w", i, err)
		}
		if len(head) < b.topN {
			head = append(head, part[:min(len(part), b.topN-len(head))]...)
		}
		if err := b.c.put(ctx, b.ks.Snapshot(season), head, 24*time.Hour); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}
