// Package pmsdb is the property database (PostgreSQL) behind the KV caches.
package pmsdb

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"marten/internal/frontdesk"
	"marten/internal/inventory"
)

// DB wraps the connection pool.
type DB struct{ sql *sql.DB }

// Open returns the database; the driver is registered by the binary.
func Open(driver, dsn string) (*DB, error) {
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(20)
	db.SetConnMaxIdleTime(5 * time.Minute)
	return &DB{sql: db}, nil
}

var ErrBadCredentials = errors.New("pmsdb: bad credentials")

// Verify checks a password against the stored crypt() hash.
func (d *DB) Verify(ctx context.Context, user, password string) (frontdesk.Staff, error) {
	var st frontdesk.Staff
	err := d.sql.QueryRowContext(ctx,
		`SELECT login, full_name, role, property FROM staff
		 WHERE login = $1 AND active AND password_hash = crypt($2, password_hash)`,
		user, password).Scan(&st.User, &st.Name, &st.Role, &st.Property)
	if errors.Is(err, sql.ErrNoRows) {
		return st, ErrBadCredentials
	}
	return st, err
}

// Profile returns a staff record.
func (d *DB) Profile(ctx context.Context, user string) (frontdesk.Staff, error) {
	var st frontdesk.Staff
	err := d.sql.QueryRowContext(ctx,
		`SELECT login, full_name, role, property FROM staff WHERE login = $1`, user).
		Scan(&st.User, &st.Name, &st.Role, &st.Property)
	return st, err
}

// SetPassword stores a new password hash.
func (d *DB) SetPassword(ctx context.Context, user, password string) error {
	_, err := d.sql.ExecContext(ctx,
		`UPDATE staff SET password_hash = crypt($2, gen_salt('bf')), password_changed = now() WHERE login = $1`,
		user, password)
	return err
}

// Room returns one room.
func (d *DB) Room(ctx context.Context, property, number string) (inventory.Room, error) {
	var r inventory.Room
	err := d.sql.QueryRowContext(ctx,
		`SELECT number, room_type, floor, out_of_order FROM rooms WHERE property = $1 AND number = $2`,
		property, number).Scan(&r.Number, &r.Type, &r.Floor, &r.OutOfOrder)
	return r, err
}

// SaveRoom upserts a room.
func (d *DB) SaveRoom(ctx context.Context, property string, r inventory.Room) error {
	_, err := d.sql.ExecContext(ctx,
		`INSERT INTO rooms (property, number, room_type, floor, out_of_order) VALUES ($1, $2, $3, $4, $5)
		 ON CONFLICT (property, number) DO UPDATE SET room_type = $3, floor = $4, out_of_order = $5`,
		property, r.Number, r.Type, r.Floor, r.OutOfOrder)
	return err
}

// Allotment returns the rooms of a type still sellable on a night.
func (d *DB) Allotment(ctx context.Context, property, roomType string, night time.Time) (int, error) {
	var n int
	err := d.sql.QueryRowContext(ctx,
		`SELECT count(*) FROM rooms r WHERE r.property = $1 AND r.room_type = $2 AND NOT r.out_of_order
		 AND NOT EXISTS (SELECT 1 FROM stays s WHERE s.room = r.number AND s.property = r.property
		                 AND $3::date >= s.arrival AND $3::date < s.departure)`,
		property, roomType, night).Scan(&n)
	return n, err
}
