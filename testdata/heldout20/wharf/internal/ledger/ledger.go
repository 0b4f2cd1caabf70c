// Package ledger is wharf's authoritative state: drops, ballots and tallies
// live in D1 (through database/sql), and per-drop admission counters live
// in a Durable Object reached over its fetch interface. KV only ever holds
// projections of what is kept here.
package ledger

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"example.com/wharf/internal/domain"
)

// Drops reads drop definitions from D1.
type Drops struct {
	DB *sql.DB
}

const dropColumns = `id, artist, venue, on_sale_at, closes_at, checkout_window_s,
	capacity, admit_per_minute, COALESCE(experiment, '')`

type scanner interface{ Scan(dest ...any) error }

func scanDrop(row scanner) (domain.Drop, error) {
	var (
		d                    domain.Drop
		onSale, closes, secs int64
	)
	err := row.Scan(&d.ID, &d.Artist, &d.Venue, &onSale, &closes, &secs,
		&d.Capacity, &d.AdmitPerMinute, &d.WaitingRoomExpID)
	d.OnSaleAt = time.Unix(onSale, 0).UTC()
	d.ClosesAt = time.Unix(closes, 0).UTC()
	d.CheckoutWindow = time.Duration(secs) * time.Second
	return d, err
}

// Get returns one drop.
func (d Drops) Get(ctx context.Context, id string) (domain.Drop, error) {
	drop, err := scanDrop(d.DB.QueryRowContext(ctx, `SELECT `+dropColumns+` FROM drops WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return drop, fmt.Errorf("drop %q: %w", id, domain.ErrNotFound)
	}
	return drop, err
}

// Upcoming runs query, which must select the drop columns in Get's order.
func (d Drops) Upcoming(ctx context.Context, query string, args ...any) ([]domain.Drop, error) {
	rows, err := d.DB.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("upcoming drops: %w", err)
	}
	defer rows.Close()
	var out []domain.Drop
	for rows.Next() {
		drop, err := scanDrop(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, drop)
	}
	return out, rows.Err()
}

// PollTally keeps encore vote totals in D1, incremented in SQL.
type PollTally struct {
	DB *sql.DB
}

// Add records one vote for option.
func (t PollTally) Add(ctx context.Context, pollID, option string) error {
	_, err := t.DB.ExecContext(ctx, `
		INSERT INTO poll_tallies (poll_id, option, votes) VALUES (?, ?, 1)
		ON CONFLICT (poll_id, option) DO UPDATE SET votes = votes + 1`, pollID, option)
	if err != nil {
		return fmt.Errorf("tally %s/%s: %w", pollID, option, err)
	}
	return nil
}

// Read returns the current totals.
func (t PollTally) Read(ctx context.Context, pollID string) (domain.Tally, error) {
	rows, err := t.DB.QueryContext(ctx, `SELECT option, votes FROM poll_tallies WHERE poll_id = ?`, pollID)
	if err != nil {
		return domain.Tally{}, fmt.Errorf("tally %s: %w", pollID, err)
	}
	defer rows.Close()
	tally := domain.Tally{PollID: pollID, Counts: map[string]int64{}}
	for rows.Next() {
		var (
			opt string
			n   int64
		)
		if err := rows.Scan(&opt, &n); err != nil {
			return tally, err
		}
		tally.Counts[opt] = n
	}
	return tally, rows.Err()
}

// Fetcher sends a request to a Durable Object stub.
type Fetcher func(*http.Request) (*http.Response, error)

// RoomCounter is the client of the per-drop admission Durable Object. The
// object serialises every increment, so its numbers are exact.
type RoomCounter struct {
	// Stub returns the fetcher of the object that owns drop.
	Stub func(drop string) (Fetcher, error)
}

func (c RoomCounter) call(ctx context.Context, drop, method, op string, q url.Values) (int64, error) {
	fetch, err := c.Stub(drop)
	if err != nil {
		return 0, err
	}
	u := url.URL{Scheme: "https", Host: "room.internal", Path: "/" + op, RawQuery: q.Encode()}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), nil)
	if err != nil {
		return 0, err
	}
	res, err := fetch(req)
	if err != nil {
		return 0, fmt.Errorf("room %s %s: %w", drop, op, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(res.Body, 512))
		return 0, fmt.Errorf("room %s %s: %s: %s", drop, op, res.Status, strings.TrimSpace(string(msg)))
	}
	var reply struct {
		Value int64 `json:"value"`
	}
	if err := json.NewDecoder(res.Body).Decode(&reply); err != nil {
		return 0, fmt.Errorf("room %s %s: %w", drop, op, err)
	}
	return reply.Value, nil
}

// Release lets up to n more positions through and returns the new head.
func (c RoomCounter) Release(ctx context.Context, drop string, n int) (domain.Position, error) {
	v, err := c.call(ctx, drop, http.MethodPost, "release", url.Values{"n": {fmt.Sprint(n)}})
	return domain.Position(v), err
}

// NextPosition hands out the next queue position atomically.
func (c RoomCounter) NextPosition(ctx context.Context, drop string) (domain.Position, error) {
	v, err := c.call(ctx, drop, http.MethodPost, "enqueue", nil)
	return domain.Position(v), err
}
