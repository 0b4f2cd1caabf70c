// Package db holds the D1 queries: editors, published stories and the view
// totals behind the trending rail. D1 is the source of truth; KV only holds
// projections of it.
package db

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"golang.org/x/crypto/bcrypt"

	"example.com/newsroom/internal/auth"
	"example.com/newsroom/internal/homepage"
	"example.com/newsroom/internal/trending"
)

// DB wraps the D1 connection.
type DB struct {
	sql *sql.DB
}

// New wraps an open *sql.DB.
func New(db *sql.DB) *DB { return &DB{sql: db} }

// ErrBadCredentials is returned by Verify.
var ErrBadCredentials = errors.New("db: bad credentials")

// Verify checks an editor's password.
func (d *DB) Verify(ctx context.Context, email, password string) (auth.Editor, error) {
	var ed auth.Editor
	var hash []byte
	err := d.sql.QueryRowContext(ctx, `SELECT id, email, role, password_hash FROM editors WHERE email = ? AND active = 1`, email).
		Scan(&ed.ID, &ed.Email, &ed.Role, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.Editor{}, ErrBadCredentials
	}
	if err != nil {
		return auth.Editor{}, err
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil {
		return auth.Editor{}, ErrBadCredentials
	}
	return ed, nil
}

// SetPassword replaces an editor's password.
func (d *DB) SetPassword(ctx context.Context, editorID, password string) error {
	if len(password) < 12 {
		return errors.New("password must be at least 12 characters")
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return err
	}
	_, err = d.sql.ExecContext(ctx, `UPDATE editors SET password_hash = ?, password_changed_at = ? WHERE id = ?`, hash, time.Now().Unix(), editorID)
	return err
}

// ByEmail looks an active editor up by address.
func (d *DB) ByEmail(ctx context.Context, email string) (auth.Editor, error) {
	var ed auth.Editor
	err := d.sql.QueryRowContext(ctx, `SELECT id, email, role FROM editors WHERE email = ? AND active = 1`, email).
		Scan(&ed.ID, &ed.Email, &ed.Role)
	return ed, err
}

// Latest returns the newest stories, optionally for one desk.
func (d *DB) Latest(ctx context.Context, desk string, n int) ([]homepage.Story, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT id, slug, title, standfirst, desk, published_at FROM articles
		WHERE status = 'live' AND (? = '' OR desk = ?) ORDER BY published_at DESC LIMIT ?`, desk, desk, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []homepage.Story
	for rows.Next() {
		var s homepage.Story
		var ts int64
		if err := rows.Scan(&s.ID, &s.Slug, &s.Title, &s.Standfirst, &s.Desk, &ts); err != nil {
			return nil, err
		}
		s.PublishedAt = time.Unix(ts, 0)
		out = append(out, s)
	}
	return out, rows.Err()
}

// Top ranks stories by reads since the given time.
func (d *DB) Top(ctx context.Context, since time.Time, n int) ([]trending.Item, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT a.id, a.slug, a.title, SUM(r.reads) AS score
		FROM article_reads r JOIN articles a ON a.id = r.article_id
		WHERE r.hour >= ? GROUP BY a.id ORDER BY score DESC LIMIT ?`, since.Unix()/3600, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []trending.Item
	for rows.Next() {
		var it trending.Item
		if err := rows.Scan(&it.ArticleID, &it.Slug, &it.Title, &it.Score); err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// AddRead bumps the hourly read bucket for an article.
func (d *DB) AddRead(ctx context.Context, articleID string, at time.Time) error {
	_, err := d.sql.ExecContext(ctx, `INSERT INTO article_reads (article_id, hour, reads) VALUES (?, ?, 1)
		ON CONFLICT (article_id, hour) DO UPDATE SET reads = reads + 1`, articleID, at.Unix()/3600)
	return err
}
