// Package pgstore implements the source ports on database/sql. The driver is
// registered by the binary (see cmd/feeds).
package pgstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"example.com/feeds/internal/source"
)

// DB implements source.Articles, source.Slugs, source.Counters and
// source.Feeds.
type DB struct{ db *sql.DB }

// Open opens a pool. It does not ping.
func Open(driver, dsn string) (*DB, error) {
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return nil, fmt.Errorf("pgstore: open: %w", err)
	}
	db.SetMaxOpenConns(20)
	db.SetConnMaxIdleTime(5 * time.Minute)
	return &DB{db: db}, nil
}

// Close closes the pool.
func (d *DB) Close() error { return d.db.Close() }

const articleCols = `id, slug, section, title, summary, body, hash, published_at, updated_at`

func scanArticle(row interface{ Scan(...any) error }) (source.Article, error) {
	var a source.Article
	err := row.Scan(&a.ID, &a.Slug, &a.Section, &a.Title, &a.Summary, &a.Body, &a.Hash, &a.PublishedAt, &a.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return a, source.ErrNotFound
	}
	return a, err
}

func (d *DB) Get(ctx context.Context, id string) (source.Article, error) {
	return scanArticle(d.db.QueryRowContext(ctx, `SELECT `+articleCols+` FROM articles WHERE id = $1`, id))
}

func (d *DB) Upsert(ctx context.Context, a source.Article) error {
	_, err := d.db.ExecContext(ctx, `
		INSERT INTO articles (`+articleCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now())
		ON CONFLICT (id) DO UPDATE SET
			title = EXCLUDED.title, summary = EXCLUDED.summary, body = EXCLUDED.body,
			hash = EXCLUDED.hash, updated_at = now()`,
		a.ID, a.Slug, a.Section, a.Title, a.Summary, a.Body, a.Hash, a.PublishedAt)
	return err
}

func (d *DB) query(ctx context.Context, q string, args ...any) ([]source.Article, error) {
	rows, err := d.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []source.Article
	for rows.Next() {
		a, err := scanArticle(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func (d *DB) ListAfter(ctx context.Context, after string, limit int) ([]source.Article, error) {
	return d.query(ctx, `SELECT `+articleCols+` FROM articles WHERE id > $1 ORDER BY id LIMIT $2`, after, limit)
}

func (d *DB) LatestInSection(ctx context.Context, section string, limit int) ([]source.Article, error) {
	return d.query(ctx, `SELECT `+articleCols+` FROM articles WHERE section = $1 ORDER BY published_at DESC LIMIT $2`, section, limit)
}

func (d *DB) MostViewed(ctx context.Context, since time.Time, limit int) ([]source.Article, error) {
	return d.query(ctx, `
		SELECT `+articleCols+` FROM articles a
		JOIN article_views v ON v.article_id = a.id
		WHERE v.day >= $1::date
		GROUP BY a.id ORDER BY sum(v.n) DESC LIMIT $2`, since, limit)
}

func (d *DB) ClaimSlug(ctx context.Context, slug, articleID string) error {
	res, err := d.db.ExecContext(ctx, `INSERT INTO slugs (slug, article_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, slug, articleID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return source.ErrConflict
	}
	return nil
}

func (d *DB) Increment(ctx context.Context, name string, delta int64) (int64, error) {
	var n int64
	err := d.db.QueryRowContext(ctx, `
		INSERT INTO counters (name, n) VALUES ($1, $2)
		ON CONFLICT (name) DO UPDATE SET n = counters.n + EXCLUDED.n
		RETURNING n`, name, delta).Scan(&n)
	return n, err
}

func (d *DB) ActiveFeeds(ctx context.Context) ([]source.Feed, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT id, url, section FROM feeds WHERE active ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []source.Feed
	for rows.Next() {
		var f source.Feed
		if err := rows.Scan(&f.ID, &f.URL, &f.Section); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}
