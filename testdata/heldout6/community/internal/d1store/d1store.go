// Package d1store keeps the relational side of the forum in D1: reply
// bodies, view counters and the title index used by search.
package d1store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/d1"

	"example.com/community/internal/forum"
)

// DB wraps the D1 binding.
type DB struct{ db *sql.DB }

func Open(binding string) (*DB, error) {
	c, err := d1.OpenConnector(binding)
	if err != nil {
		return nil, fmt.Errorf("d1store: %w", err)
	}
	return &DB{db: sql.OpenDB(c)}, nil
}

func (d *DB) Insert(ctx context.Context, r forum.Reply) error {
	_, err := d.db.ExecContext(ctx, `INSERT INTO replies (id, thread_id, author_id, body, created_at) VALUES (?, ?, ?, ?, ?)`,
		r.ID, r.ThreadID, r.AuthorID, r.Body, r.CreatedAt.Unix())
	return err
}

func (d *DB) ListByThread(ctx context.Context, threadID string, limit int) ([]forum.Reply, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT id, author_id, body, created_at FROM replies WHERE thread_id = ? ORDER BY created_at LIMIT ?`, threadID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []forum.Reply
	for rows.Next() {
		r, at := forum.Reply{ThreadID: threadID}, int64(0)
		if err := rows.Scan(&r.ID, &r.AuthorID, &r.Body, &at); err != nil {
			return nil, err
		}
		r.CreatedAt = time.Unix(at, 0).UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// Incr bumps and returns the view count of a thread in one statement.
func (d *DB) Incr(ctx context.Context, threadID string) (n int64, err error) {
	err = d.db.QueryRowContext(ctx, `INSERT INTO thread_views (thread_id, views) VALUES (?, 1)
		ON CONFLICT (thread_id) DO UPDATE SET views = views + 1 RETURNING views`, threadID).Scan(&n)
	return n, err
}

func (d *DB) IndexThread(ctx context.Context, t forum.Thread) error {
	_, err := d.db.ExecContext(ctx, `INSERT OR REPLACE INTO thread_titles (thread_id, slug, title_lc) VALUES (?, ?, ?)`,
		t.ID, t.Slug, strings.ToLower(t.Title))
	return err
}

// TitlesWithPrefix implements search.Source.
func (d *DB) TitlesWithPrefix(ctx context.Context, prefix string, limit int) ([]string, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT title_lc FROM thread_titles WHERE title_lc LIKE ? ORDER BY title_lc LIMIT ?`, prefix+"%", limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
