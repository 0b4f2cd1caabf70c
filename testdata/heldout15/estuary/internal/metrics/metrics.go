// Package metrics keeps the numbers the partner console shows: profile views,
// the daily delivery leaderboard and cached report queries.
package metrics

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"example.com/estuary/internal/ids"
	"example.com/estuary/internal/kvstore"
	"example.com/estuary/internal/units"
)

// Views counts profile views. Writes are spread over shards so no single key
// takes every write.
type Views struct {
	store  kvstore.Store
	format string // e.g. "views:%s:%d"
	shards int
}

func NewViews(store kvstore.Store, format string, shards int) *Views {
	return &Views{store: store, format: format, shards: shards}
}

// Record adds one view of acct's profile.
func (v *Views) Record(ctx context.Context, acct ids.AccountID) error {
	key := fmt.Sprintf(v.format, acct, rand.IntN(v.shards))
	n := 0
	b, err := v.store.Get(ctx, key)
	switch {
	case err == nil:
		n, _ = strconv.Atoi(string(b))
	case !kvstore.IsNotFound(err):
		return err
	}
	return v.store.Put(ctx, key, []byte(strconv.Itoa(n+1)), kvstore.PutOptions{}) // EXPECT kvcounter
}

// Total sums the shards.
func (v *Views) Total(ctx context.Context, acct ids.AccountID) (int, error) {
	total := 0
	for shard := range v.shards {
		b, err := v.store.Get(ctx, fmt.Sprintf(v.format, acct, shard))
		if err != nil {
			return 0, err
		}
		if len(b) == 0 { // EXPECT kvnull
			continue
		}
		n, err := strconv.Atoi(string(b))
		if err != nil {
			return 0, fmt.Errorf("metrics: shard %d of %s: %w", shard, acct, err)
		}
		total += n
	}
	return total, nil
}

// Board is one day's leaderboard, best first.
type Board []units.Pair[ids.AccountID, float64]

// Leaderboard ranks accounts by orders paid per UTC day.
type Leaderboard struct {
	store kvstore.Store
	size  int
	now   func() time.Time
}

func NewLeaderboard(store kvstore.Store, size int) *Leaderboard {
	return &Leaderboard{store: store, size: size, now: time.Now}
}

func boardKey(day time.Time) string { return "leaderboard/" + day.UTC().Format("2006-01-02") }

// Top returns the board for day.
func (l *Leaderboard) Top(ctx context.Context, day time.Time) (Board, error) {
	b, err := l.store.Get(ctx, boardKey(day))
	if kvstore.IsNotFound(err) {
		return Board{}, nil
	}
	if err != nil {
		return nil, err
	}
	var board Board
	if err := json.Unmarshal(b, &board); err != nil {
		return nil, fmt.Errorf("metrics: board: %w", err)
	}
	return board, nil
}

// Credit adds n paid orders to acct's score for today.
func (l *Leaderboard) Credit(ctx context.Context, acct ids.AccountID, n int) error {
	today := l.now()
	board, err := l.Top(ctx, today)
	if err != nil {
		return err
	}
	scores := make(map[ids.AccountID]float64, len(board)+1)
	for _, p := range board {
		scores[p.Key] = p.Value
	}
	scores[acct] += float64(n)
	out, err := json.Marshal(units.TopN(units.SortedPairs(scores), l.size))
	if err != nil {
		return err
	}
	return l.store.Put(ctx, boardKey(today), out, kvstore.PutOptions{TTL: 8 * 24 * time.Hour}) // EXPECT kvcounter|kvrace
}

// topAccountsQuery is the warehouse query behind the "top accounts" report.
const topAccountsQuery = `SELECT a.account_id, a.display_name, count(e.event_id) AS delivered,
       sum(e.payload_bytes) AS bytes, max(e.delivered_at) AS last_delivery,
       avg(extract(epoch FROM e.delivered_at - e.received_at)) AS avg_latency_s
  FROM accounts a
  JOIN delivery_events e ON e.account_id = a.account_id
 WHERE e.delivered_at >= now() - interval '7 days'
   AND e.status = 'delivered'
   AND a.plan IN ('growth', 'scale', 'enterprise')
 GROUP BY a.account_id, a.display_name
HAVING count(e.event_id) > 100
 ORDER BY delivered DESC, bytes DESC
 LIMIT 50`

// Reports caches warehouse query results in KV.
type Reports struct {
	store kvstore.Store
	run   func(ctx context.Context, query string) ([]byte, error)
}

func NewReports(store kvstore.Store, run func(context.Context, string) ([]byte, error)) *Reports {
	return &Reports{store: store, run: run}
}

// TopAccounts returns the cached report, running the query on a miss.
func (r *Reports) TopAccounts(ctx context.Context) ([]byte, error) {
	key := "report/" + topAccountsQuery // EXPECT kvlimits
	if b, err := r.store.Get(ctx, key); err == nil {
		return b, nil
	} else if !kvstore.IsNotFound(err) {
		return nil, err
	}
	b, err := r.run(ctx, topAccountsQuery)
	if err != nil {
		return nil, err
	}
	if err := r.store.Put(ctx, key, b, kvstore.PutOptions{TTL: 15 * time.Minute}); err != nil {
		return nil, err
	}
	return b, nil
}
