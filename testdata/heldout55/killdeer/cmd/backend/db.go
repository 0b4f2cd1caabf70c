package main

import (
	"context"
	"database/sql"
	"time"

	"github.com/killdeer-games/killdeer/internal/banpush"
	"github.com/killdeer-games/killdeer/internal/leaderboard"
)

// sqlSource reads rankings and profiles from the game database.
type sqlSource struct{ db *sql.DB }

func (s sqlSource) Top(ctx context.Context, season string, n int) ([]leaderboard.Entry, error) {
	rows, err := s.db.QueryContext(ctx,
		`SELECT player_id, display_name, best_score FROM season_scores WHERE season = $1 ORDER BY best_score DESC LIMIT $2`,
		season, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []leaderboard.Entry
	for rows.Next() {
		var e leaderboard.Entry
		if err := rows.Scan(&e.PlayerID, &e.Name, &e.Score); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func (s sqlSource) Profile(ctx context.Context, playerID string) (map[string]any, error) {
	var name, region string
	var level int
	err := s.db.QueryRowContext(ctx,
		`SELECT display_name, region, level FROM players WHERE id = $1`, playerID).Scan(&name, &region, &level)
	if err != nil {
		return nil, err
	}
	return map[string]any{"id": playerID, "name": name, "region": region, "level": level}, nil
}

// pendingBans returns decisions not yet published and marks them published.
func pendingBans(ctx context.Context, db *sql.DB) ([]banpush.Ban, error) {
	rows, err := db.QueryContext(ctx,
		`UPDATE bans SET published_at = now() WHERE published_at IS NULL
		 RETURNING player_id, coalesce(device_id, ''), reason, until, permanent, appealable`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []banpush.Ban
	for rows.Next() {
		var b banpush.Ban
		var until sql.NullTime
		if err := rows.Scan(&b.PlayerID, &b.DeviceID, &b.Reason, &until, &b.Permanent, &b.Appealable); err != nil {
			return nil, err
		}
		b.Until = until.Time
		if !until.Valid {
			b.Until = time.Now().Add(24 * time.Hour)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}
