// Package leaderboard keeps per-season, per-mode leaderboards. Scores are
// spread over a fixed number of shard keys so that a busy mode does not
// funnel every match result into one KV key.
package leaderboard

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/lanternforge/waxwing/internal/keys"
	"github.com/lanternforge/waxwing/internal/kvstore"
	"github.com/lanternforge/waxwing/internal/retry"
)

// Shards is the number of shard keys per season and mode.
const Shards = 16

const topN = 100

// hallOfFameQuery returns every finished season's champions as one JSON
// array. Its text doubles as the cache key, so a changed query never serves
// an old result.
const hallOfFameQuery = `SELECT coalesce(json_agg(t ORDER BY t.season DESC, t.mode), '[]')
  FROM (SELECT f.season, f.mode, f.player_id, p.display_name, p.avatar_url, f.points
          FROM (SELECT s.number AS season, r.player_id, r.mode, r.points,
                       RANK() OVER (PARTITION BY s.number, r.mode ORDER BY r.points DESC, r.reached_at) AS place
                  FROM season_results r
                  JOIN seasons s ON s.number = r.season
                 WHERE s.closed_at IS NOT NULL) f
          JOIN players p ON p.id = f.player_id
         WHERE f.place = 1 AND p.deleted_at IS NULL AND p.banned_at IS NULL) t`

// Entry is one row of a leaderboard.
type Entry struct {
	Player string `json:"player"`
	Points int    `json:"points"`
}

type Service struct {
	kv    *kvstore.Logged
	cache *kvstore.Tiered
	db    *sql.DB
	log   *slog.Logger
}

func New(l *kvstore.Logged, db *sql.DB, log *slog.Logger) *Service {
	return &Service{kv: l, cache: kvstore.NewTiered(l, 15*time.Second, 2*time.Minute), db: db, log: log}
}

// Record credits points to every winner of a match.
func (s *Service) Record(ctx context.Context, season int, mode string, winners []string, points int) error {
	for _, p := range winners {
		bk := keys.BoardKey{Season: season, Mode: mode, Shard: keys.ShardOf(p, Shards)}
		err := retry.Do(ctx, retry.Default, func(ctx context.Context) error {
			return s.addScore(ctx, bk.String(), p, points)
		})
		if err != nil {
			return fmt.Errorf("leaderboard %s: %w", bk, err)
		}
	}
	return nil
}

func (s *Service) addScore(ctx context.Context, key, player string, points int) error {
	scores := map[string]int{}
	raw, err := s.kv.Get(ctx, key)
	if err == nil {
		err = json.Unmarshal(raw, &scores)
	}
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	scores[player] += points
	body, _ := json.Marshal(scores)
	return s.kv.Put(ctx, key, body, 0) // EXPECT kvrace|kvcounter
}

func topKey(season int, mode string) string {
	return keys.SeasonBoard(season).With(mode).Child("top").String()
}

// merge reads every shard of a mode, a few at a time.
func (s *Service) merge(ctx context.Context, season int, mode string) (map[string]int, error) {
	var mu sync.Mutex
	merged := map[string]int{}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for i := range Shards {
		bk := keys.BoardKey{Season: season, Mode: mode, Shard: i}
		g.Go(func() error {
			raw, err := s.kv.Get(gctx, bk.String())
			if errors.Is(err, kvstore.ErrNotFound) {
				return nil
			}
			if err != nil {
				return err
			}
			var part map[string]int
			if err := json.Unmarshal(raw, &part); err != nil {
				return fmt.Errorf("%s: %w", bk, err)
			}
			mu.Lock()
			defer mu.Unlock()
			for p, pts := range part {
				merged[p] += pts
			}
			return nil
		})
	}
	return merged, g.Wait()
}

func rank(scores map[string]int, n int) []Entry {
	out := make([]Entry, 0, len(scores))
	for p, pts := range scores {
		out = append(out, Entry{Player: p, Points: pts})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Points != out[j].Points {
			return out[i].Points > out[j].Points
		}
		return out[i].Player < out[j].Player
	})
	return out[:min(n, len(out))]
}

// Rebuild recomputes the top list of every mode after a batch of results and
// publishes a short summary for the home screen.
func (s *Service) Rebuild(ctx context.Context, season int, modes []string) error {
	summary := map[string][]Entry{}
	for _, mode := range modes {
		merged, err := s.merge(ctx, season, mode)
		if err != nil {
			return err
		}
		top := rank(merged, topN)
		body, _ := json.Marshal(top)
		if err := s.kv.Put(ctx, topKey(season, mode), body, 0); err != nil {
			return err
		}
		summary[mode] = top[:min(3, len(top))]
		sb, _ := json.Marshal(summary)
		if err := s.kv.Put(ctx, keys.SeasonBoard(season).Child("summary").String(), sb, 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// HallOfFame returns the champions of past seasons as a JSON array.
func (s *Service) HallOfFame(ctx context.Context) (json.RawMessage, error) {
	return s.cache.Get(ctx, "sqlcache:"+hallOfFameQuery, func(ctx context.Context) ([]byte, error) { // EXPECT kvlimits
		var raw []byte
		return raw, s.db.QueryRowContext(ctx, hallOfFameQuery).Scan(&raw)
	})
}
