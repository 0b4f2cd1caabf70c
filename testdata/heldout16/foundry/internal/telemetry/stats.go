package telemetry

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"example.com/foundry/internal/kvstore"
)

// Warehouse runs analytics queries against the match warehouse.
type Warehouse interface {
	Query(ctx context.Context, sql string, args ...any) ([]map[string]any, error)
}

// topPlayersQuery ranks players by score over the last seven days in
// ranked queues, excluding players flagged by anti-cheat.
const topPlayersQuery = `
SELECT p.player_id, p.display_name, SUM(s.score) AS score, SUM(s.kills) AS kills,
       SUM(s.deaths) AS deaths, COUNT(DISTINCT s.match_id) AS matches
FROM match_player_stats s
JOIN players p ON p.player_id = s.player_id
JOIN matches m ON m.match_id = s.match_id
WHERE m.ranked = TRUE
  AND m.ended_at >= NOW() - INTERVAL '7 days'
  AND m.mode NOT IN ('tutorial', 'custom', 'practice')
  AND NOT EXISTS (
      SELECT 1 FROM anticheat_flags f
      WHERE f.player_id = s.player_id AND f.resolved_at IS NULL
  )
GROUP BY p.player_id, p.display_name
HAVING COUNT(DISTINCT s.match_id) >= 10
ORDER BY score DESC, kills DESC
LIMIT 100`

// Reports serves warehouse-backed reports, cached in KV.
type Reports struct {
	store kvstore.Store
	wh    Warehouse
	ttl   time.Duration
}

// NewReports returns a Reports cache with the given TTL.
func NewReports(store kvstore.Store, wh Warehouse, ttl time.Duration) *Reports {
	return &Reports{store: store, wh: wh, ttl: max(ttl, time.Minute)}
}

// TopPlayers returns the weekly ranking.
func (r *Reports) TopPlayers(ctx context.Context) ([]map[string]any, error) {
	key := "sql/" + topPlayersQuery // EXPECT kvlimits
	if raw, err := r.store.Get(ctx, key); err == nil {
		var rows []map[string]any
		if json.Unmarshal(raw, &rows) == nil {
			return rows, nil
		}
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}
	rows, err := r.wh.Query(ctx, topPlayersQuery)
	if err != nil {
		return nil, err
	}
	b, _ := json.Marshal(rows)
	return rows, r.store.Put(ctx, key, b, kvstore.WithTTL(r.ttl))
}
