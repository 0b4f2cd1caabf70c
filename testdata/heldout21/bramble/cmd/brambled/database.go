package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"log"

	"example.com/bramble/internal/customer/otp"
	"example.com/bramble/internal/ids"
	"example.com/bramble/internal/menus/catalog"
	"example.com/bramble/internal/menus/model"
)

// database is the restaurant and customer database. The SQL driver is
// registered by the deployment's build.
type database struct{ *sql.DB }

var (
	_ catalog.Origin = database{}
	_ otp.Directory  = database{}
)

func openDatabase(url string) (database, error) {
	db, err := sql.Open("pgx", url)
	return database{db}, err
}

func (db database) EnsureCustomer(ctx context.Context, phone ids.Phone) (ids.CustomerID, error) {
	var id string
	err := db.QueryRowContext(ctx, `INSERT INTO customers (id, phone) VALUES ($1, $2)
		ON CONFLICT (phone) DO UPDATE SET last_login = now() RETURNING id`, ids.RandomToken(12), phone).Scan(&id)
	return ids.CustomerID(id), err
}

func (db database) LoadMenu(ctx context.Context, rid ids.RestaurantID) (model.Menu, error) {
	var raw []byte
	err := db.QueryRowContext(ctx, `SELECT body FROM published_menus WHERE restaurant_id = $1`, rid).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return model.Menu{}, catalog.ErrOriginNotFound
	}
	if err != nil {
		return model.Menu{}, err
	}
	var m model.Menu
	return m, json.Unmarshal(raw, &m)
}

func queryAll[T any](ctx context.Context, db *sql.DB, scan func(*sql.Rows, *T) error, query string, args ...any) ([]T, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := scan(rows, &v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func (db database) QueryFeatured(ctx context.Context, query string) ([]catalog.Featured, error) {
	return queryAll(ctx, db.DB, func(r *sql.Rows, f *catalog.Featured) error {
		return r.Scan(&f.ID, &f.Name, &f.Slug, &f.Cuisine, &f.Rating)
	}, query)
}

func (db database) TopRestaurants(ctx context.Context, n int) ([]ids.RestaurantID, error) {
	return queryAll(ctx, db.DB, func(r *sql.Rows, id *ids.RestaurantID) error { return r.Scan(id) },
		`SELECT restaurant_id FROM restaurant_daily_orders WHERE day = current_date - 1 ORDER BY orders DESC LIMIT $1`, n)
}

func (db database) RestaurantLocation(ctx context.Context, rid ids.RestaurantID) (lat, lng float64, err error) {
	err = db.QueryRowContext(ctx, `SELECT lat, lng FROM restaurants WHERE id = $1`, rid).Scan(&lat, &lng)
	return lat, lng, err
}

// logSender stands in for the SMS provider outside production.
type logSender struct{}

func (logSender) Send(_ context.Context, to ids.Phone, body string) error {
	log.Printf("sms to %s: %s", to.Masked(), body)
	return nil
}
