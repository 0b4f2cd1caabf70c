package polls

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"example.com/vireo/internal/domain"
)

// D1Ballots stores ballots and tallies in the council's D1 database.
type D1Ballots struct {
	DB *sql.DB
}

// Insert writes the ballot and bumps the tallies in one transaction.
func (d D1Ballots) Insert(ctx context.Context, b domain.Ballot) error {
	tx, err := d.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx,
		`INSERT INTO ballots (poll_id, citizen_id, options, cast_at) VALUES (?, ?, ?, ?)
		 ON CONFLICT (poll_id, citizen_id) DO NOTHING`,
		b.PollID, b.CitizenID, strings.Join(b.OptionIDs, ","), b.CastAt.Unix())
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("ballot %s/%s: %w", b.PollID, b.CitizenID, domain.ErrConflict)
	}
	for _, opt := range b.OptionIDs {
		if _, err := tx.ExecContext(ctx,
			`UPDATE tallies SET count = count + 1 WHERE poll_id = ? AND option_id = ?`, b.PollID, opt); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// Totals returns the authoritative per-option counts.
func (d D1Ballots) Totals(ctx context.Context, pollID string) (map[string]int64, error) {
	rows, err := d.DB.QueryContext(ctx, `SELECT option_id, count FROM tallies WHERE poll_id = ?`, pollID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[string]int64)
	for rows.Next() {
		var (
			opt string
			n   int64
		)
		if err := rows.Scan(&opt, &n); err != nil {
			return nil, err
		}
		out[opt] = n
	}
	return out, rows.Err()
}

// Count returns one option's authoritative count.
func (d D1Ballots) Count(ctx context.Context, pollID, optionID string) (int64, error) {
	var n int64
	err := d.DB.QueryRowContext(ctx,
		`SELECT count FROM tallies WHERE poll_id = ? AND option_id = ?`, pollID, optionID).Scan(&n)
	return n, err
}
