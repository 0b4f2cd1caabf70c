// Package ledger is Saffron's D1 access: loyalty balances and menu sources.
package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

var now = time.Now

// D1 is the loyalty ledger backed by the D1 database.
type D1 struct {
	db *sql.DB
}

// OpenD1 opens the D1 database bound as binding.
func OpenD1(binding string) (*D1, error) {
	db, err := sql.Open("d1", binding)
	if err != nil {
		return nil, fmt.Errorf("ledger: open %s: %w", binding, err)
	}
	return &D1{db: db}, nil
}

// Credit adds points to a member's balance and returns the new balance.
func (l *D1) Credit(ctx context.Context, member string, points int64, reason string) (int64, error) {
	if points == 0 {
		return l.Balance(ctx, member)
	}
	if _, err := l.db.ExecContext(ctx,
		`INSERT INTO loyalty_entries (member, points, reason, created_at) VALUES (?, ?, ?, ?)`,
		member, points, reason, now().Unix()); err != nil {
		return 0, fmt.Errorf("ledger: record entry: %w", err)
	}
	var balance int64
	err := l.db.QueryRowContext(ctx,
		`INSERT INTO loyalty_accounts (member, points) VALUES (?, ?)
		 ON CONFLICT (member) DO UPDATE SET points = points + excluded.points
		 RETURNING points`,
		member, points).Scan(&balance)
	if err != nil {
		return 0, fmt.Errorf("ledger: credit %s: %w", member, err)
	}
	return balance, nil
}

// Balance returns the current points balance.
func (l *D1) Balance(ctx context.Context, member string) (int64, error) {
	var balance int64
	err := l.db.QueryRowContext(ctx, `SELECT points FROM loyalty_accounts WHERE member = ?`, member).Scan(&balance)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return balance, err
}

// MenuRow is one published menu as stored in D1.
type MenuRow struct {
	Restaurant string
	Slug       string
	Body       string
	UpdatedAt  int64
}

// PublishedMenus returns menus changed since the given unix time.
func (l *D1) PublishedMenus(ctx context.Context, since int64) ([]MenuRow, error) {
	rows, err := l.db.QueryContext(ctx,
		`SELECT restaurant, slug, body, updated_at FROM menus WHERE published = 1 AND updated_at > ? ORDER BY updated_at LIMIT 200`, since)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []MenuRow
	for rows.Next() {
		var r MenuRow
		if err := rows.Scan(&r.Restaurant, &r.Slug, &r.Body, &r.UpdatedAt); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Dish returns one dish's JSON document.
func (l *D1) Dish(ctx context.Context, id string) (string, error) {
	var body string
	err := l.db.QueryRowContext(ctx, `SELECT body FROM dishes WHERE id = ?`, id).Scan(&body)
	return body, err
}
