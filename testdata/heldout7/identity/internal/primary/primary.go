// Package primary is the system of record (PostgreSQL). Everything that must
// be exact — passwords, counters, client registrations — lives here.
package primary

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"example.com/identity/internal/clients"
	"example.com/identity/internal/jwks"
)

// DB wraps the connection pool.
type DB struct{ *sql.DB }

func (db DB) Check(ctx context.Context, login, password string) (string, error) {
	var uid string
	err := db.QueryRowContext(ctx, `SELECT id FROM users WHERE login = $1 AND password_hash = crypt($2, password_hash)`, login, password).Scan(&uid)
	return uid, err
}

func (db DB) Change(ctx context.Context, uid, oldPassword, newPassword string) error {
	res, err := db.ExecContext(ctx, `UPDATE users SET password_hash = crypt($3, gen_salt('bf')) WHERE id = $1 AND password_hash = crypt($2, password_hash)`, uid, oldPassword, newPassword)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errors.New("current password is wrong")
	}
	return nil
}

func (db DB) Incr(ctx context.Context, uid string, window time.Duration) (int, error) {
	var n int
	err := db.QueryRowContext(ctx, `INSERT INTO login_failures (login, n, since) VALUES ($1, 1, now())
		ON CONFLICT (login) DO UPDATE SET n = CASE WHEN login_failures.since < now() - $2::interval THEN 1 ELSE login_failures.n + 1 END
		RETURNING n`, uid, window.String()).Scan(&n)
	return n, err
}

func (db DB) Reset(ctx context.Context, uid string) error {
	_, err := db.ExecContext(ctx, `DELETE FROM login_failures WHERE login = $1`, uid)
	return err
}

func (db DB) RevokeFamily(ctx context.Context, familyID, reason string) error {
	_, err := db.ExecContext(ctx, `INSERT INTO revoked_families (id, reason) VALUES ($1, $2) ON CONFLICT DO NOTHING`, familyID, reason)
	return err
}

func (db DB) MarkVerified(ctx context.Context, email string) error {
	_, err := db.ExecContext(ctx, `UPDATE users SET email_verified = true WHERE email = $1`, email)
	return err
}

func (db DB) Load(ctx context.Context, id string) (*clients.Client, error) {
	var c clients.Client
	err := db.QueryRowContext(ctx, `SELECT id, slug, name, public FROM clients WHERE id = $1`, id).Scan(&c.ID, &c.Slug, &c.Name, &c.Public)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return &c, err
}

func (db DB) Create(ctx context.Context, c *clients.Client) error {
	_, err := db.ExecContext(ctx, `INSERT INTO clients (id, slug, name, public) VALUES ($1, $2, $3, $4)`, c.ID, c.Slug, c.Name, c.Public)
	return err
}

func (db DB) SetRedirectURIs(ctx context.Context, id string, uris []string) error {
	_, err := db.ExecContext(ctx, `UPDATE clients SET redirect_uris = $2 WHERE id = $1`, id, uris)
	return err
}

// Active returns the public halves of the signing keys that are not retired.
func (db DB) Active(ctx context.Context) ([]jwks.JWK, error) {
	rows, err := db.QueryContext(ctx, `SELECT kid, alg, crv, x, y FROM signing_keys WHERE retired_at IS NULL`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []jwks.JWK
	for rows.Next() {
		k := jwks.JWK{Kty: "EC", Use: "sig"}
		if err := rows.Scan(&k.Kid, &k.Alg, &k.Crv, &k.X, &k.Y); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}
