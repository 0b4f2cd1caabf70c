package leaderboard

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"example.com/paddock/internal/apperr"
	"example.com/paddock/internal/keys"
	"example.com/paddock/internal/store"
	"example.com/paddock/internal/store/cached"
)

// Results is the authoritative results database (D1).
type Results interface {
	Top(ctx context.Context, season string, n int) ([]Standing, error)
	Around(ctx context.Context, season, player string, radius int) ([]Standing, error)
	Record(ctx context.Context, season string, r MatchResult) error
	SeasonAt(ctx context.Context, t time.Time) (string, error)
}

// MatchResult is one finished match reported by a game server.
type MatchResult struct {
	MatchID  string           `json:"match_id"`
	Season   string           `json:"season"`
	Scores   map[string]int64 `json:"scores"`
	Finished time.Time        `json:"finished"`
}

// ErrRebuilding is returned while another worker rebuilds a board.
var ErrRebuilding = apperr.New(503, "board_rebuilding", "leaderboard is being rebuilt; retry shortly")

// Publisher serves boards from the cache and refreshes them from Results.
type Publisher struct {
	Cache   *cached.Store
	Store   store.Store
	Results Results
	TopN    int
	TopTTL  time.Duration
}

// Top returns the season's top players, filling the cache from the results
// database on a miss.
func (p Publisher) Top(ctx context.Context, season string) ([]Standing, error) {
	n := cmp.Or(p.TopN, 100)
	key := keys.SeasonScoped(season, "top-"+strconv.Itoa(n))
	raw, err := p.Cache.ReadThrough(ctx, key, cmp.Or(p.TopTTL, 2*time.Minute), func(ctx context.Context) ([]byte, error) {
		top, err := p.Results.Top(ctx, season, n)
		if err != nil {
			return nil, err
		}
		return json.Marshal(top)
	})
	if err != nil {
		return nil, err
	}
	var out []Standing
	return out, json.Unmarshal(raw, &out)
}

// Around returns the standings near a player; these move quickly so they are
// cached only briefly.
func (p Publisher) Around(ctx context.Context, season, player string) ([]Standing, error) {
	key := keys.SeasonScoped(season, "around/"+player)
	raw, err := p.Cache.ReadThrough(ctx, key, 20*time.Second, func(ctx context.Context) ([]byte, error) {
		rows, err := p.Results.Around(ctx, season, player, 5)
		if err != nil {
			return nil, err
		}
		return json.Marshal(rows)
	})
	if err != nil {
		return nil, err
	}
	var out []Standing
	return out, json.Unmarshal(raw, &out)
}

type rebuildLock struct {
	Owner string    `json:"owner"`
	At    time.Time `json:"at"`
}

// Rebuild recomputes the top board. Only one worker should rebuild at a time.
func (p Publisher) Rebuild(ctx context.Context, season string) error {
	lockKey := keys.SeasonScoped(season, "rebuild-lock")
	if _, err := p.Store.Get(ctx, lockKey); err == nil {
		return ErrRebuilding
	} else if !store.IsNotFound(err) {
		return err
	}
	host, _ := os.Hostname()
	lock := rebuildLock{Owner: fmt.Sprintf("%s/%d", host, os.Getpid()), At: time.Now().UTC()}
	if err := store.PutJSON(ctx, p.Store, lockKey, lock, store.WriteOptions{TTL: 2 * time.Minute}); err != nil { // EXPECT kvrace
		return err
	}
	defer p.Store.Delete(context.WithoutCancel(ctx), lockKey)

	n := cmp.Or(p.TopN, 100)
	top, err := p.Results.Top(ctx, season, n)
	if err != nil {
		return err
	}
	doc, err := json.Marshal(top)
	if err != nil {
		return err
	}
	return p.Cache.Put(ctx, keys.SeasonScoped(season, "top-"+strconv.Itoa(n)), doc, store.WriteOptions{
		TTL: cmp.Or(p.TopTTL, 2*time.Minute),
	})
}

// Ingest records a batch of match results from the results queue.
func (p Publisher) Ingest(ctx context.Context, batch []MatchResult) error {
	var errs []error
	for _, r := range batch {
		if err := p.Results.Record(ctx, r.Season, r); err != nil {
			errs = append(errs, fmt.Errorf("match %s: %w", r.MatchID, err))
			continue
		}
		err := store.PutJSON(ctx, p.Store, keys.SeasonScoped(r.Season, "latest-match"), r, store.WriteOptions{}) // EXPECT kvhotkey
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Rollover publishes the current season name. It runs once per scheduler
// tick.
func (p Publisher) Rollover(ctx context.Context, now time.Time) error {
	season, err := p.Results.SeasonAt(ctx, now)
	if err != nil {
		return err
	}
	return p.Store.Put(ctx, "lb/current-season", []byte(season), store.WriteOptions{})
}
