// Package d1 is paddock's access to its D1 databases, the source of truth for
// accounts, match results and counters.
package d1

import (
	"context"
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/d1"

	"example.com/paddock/internal/apperr"
	"example.com/paddock/internal/counters"
	"example.com/paddock/internal/leaderboard"
	"example.com/paddock/internal/profile"
)

// DB runs SQL against one D1 database over the API.
type DB struct {
	Client     *cloudflare.Client
	AccountID  string
	DatabaseID string
}

// Query runs one statement and decodes its rows into T.
func Query[T any](ctx context.Context, db DB, sql string, args ...any) ([]T, error) {
	params := make([]string, len(args))
	for i, a := range args {
		params[i] = fmt.Sprint(a)
	}
	res, err := db.Client.D1.Database.Query(ctx, db.DatabaseID, d1.DatabaseQueryParams{
		AccountID: cloudflare.F(db.AccountID),
		Sql:       cloudflare.F(sql),
		Params:    cloudflare.F(params),
	})
	if err != nil {
		return nil, fmt.Errorf("d1: %s: %w", firstWord(sql), err)
	}
	var rows []T
	for _, qr := range res.Result {
		for _, row := range qr.Results {
			raw, err := json.Marshal(row)
			if err != nil {
				return nil, err
			}
			var v T
			if err := json.Unmarshal(raw, &v); err != nil {
				return nil, fmt.Errorf("d1: decode row: %w", err)
			}
			rows = append(rows, v)
		}
	}
	return rows, nil
}

func firstWord(sql string) string {
	f, _, _ := strings.Cut(strings.TrimSpace(sql), " ")
	return strings.ToLower(f)
}

// Counters implements counters.Ledger with atomic UPDATE statements.
type Counters struct{ DB DB }

var _ counters.Ledger = Counters{}

type countRow struct {
	N int64 `json:"n"`
}

// Add implements counters.Ledger.
func (c Counters) Add(ctx context.Context, name string, delta int64) (int64, error) {
	rows, err := Query[countRow](ctx, c.DB,
		`INSERT INTO counters (name, n) VALUES (?1, ?2)
		 ON CONFLICT(name) DO UPDATE SET n = n + excluded.n
		 RETURNING n`, name, delta)
	if err != nil || len(rows) == 0 {
		return 0, err
	}
	return rows[0].N, nil
}

// Value implements counters.Ledger.
func (c Counters) Value(ctx context.Context, name string) (int64, error) {
	rows, err := Query[countRow](ctx, c.DB, `SELECT n FROM counters WHERE name = ?1`, name)
	if err != nil || len(rows) == 0 {
		return 0, err
	}
	return rows[0].N, nil
}

// Reset implements counters.Ledger.
func (c Counters) Reset(ctx context.Context, name string) error {
	_, err := Query[countRow](ctx, c.DB, `DELETE FROM counters WHERE name = ?1`, name)
	return err
}

// Results implements leaderboard.Results.
type Results struct{ DB DB }

var _ leaderboard.Results = Results{}

// Top implements leaderboard.Results.
func (r Results) Top(ctx context.Context, season string, n int) ([]leaderboard.Standing, error) {
	return Query[leaderboard.Standing](ctx, r.DB,
		`SELECT player, name, score, RANK() OVER (ORDER BY score DESC) AS rank
		 FROM season_scores WHERE season = ?1 ORDER BY score DESC LIMIT ?2`, season, n)
}

// Around implements leaderboard.Results.
func (r Results) Around(ctx context.Context, season, player string, radius int) ([]leaderboard.Standing, error) {
	return Query[leaderboard.Standing](ctx, r.DB,
		`WITH ranked AS (
		   SELECT player, name, score, RANK() OVER (ORDER BY score DESC) AS rank
		   FROM season_scores WHERE season = ?1)
		 SELECT * FROM ranked WHERE rank BETWEEN
		   (SELECT rank FROM ranked WHERE player = ?2) - ?3 AND
		   (SELECT rank FROM ranked WHERE player = ?2) + ?3
		 ORDER BY rank`, season, player, radius)
}

// Record implements leaderboard.Results.
func (r Results) Record(ctx context.Context, season string, m leaderboard.MatchResult) error {
	for player, score := range m.Scores {
		_, err := Query[struct{}](ctx, r.DB,
			`INSERT INTO season_scores (season, player, score, matches) VALUES (?1, ?2, ?3, 1)
			 ON CONFLICT(season, player) DO UPDATE SET score = score + excluded.score, matches = matches + 1`,
			season, player, score)
		if err != nil {
			return err
		}
	}
	return nil
}

// first returns a function that takes a query's rows and error and yields
// the first row, or notFound when there is none.
func first[T any](notFound error) func([]T, error) (T, error) {
	return func(rows []T, err error) (T, error) {
		var zero T
		if err != nil {
			return zero, err
		}
		if len(rows) == 0 {
			return zero, notFound
		}
		return rows[0], nil
	}
}

type seasonRow struct {
	ID string `json:"id"`
}

// SeasonAt implements leaderboard.Results.
func (r Results) SeasonAt(ctx context.Context, t time.Time) (string, error) {
	noSeason := fmt.Errorf("no season at %s: %w", t.Format(time.DateOnly), apperr.ErrNotFound)
	row, err := first[seasonRow](noSeason)(Query[seasonRow](ctx, r.DB,
		`SELECT id FROM seasons WHERE starts_at <= ?1 AND ends_at > ?1`, t.Unix()))
	return row.ID, err
}

// Accounts implements profile.Accounts and the login password check.
type Accounts struct{ DB DB }

var _ profile.Accounts = Accounts{}

// Profile implements profile.Accounts.
func (a Accounts) Profile(ctx context.Context, playerID string) (profile.Profile, error) {
	return first[profile.Profile](fmt.Errorf("player %s: %w", playerID, apperr.ErrNotFound))(Query[profile.Profile](ctx, a.DB,
		`SELECT player_id, gamertag, avatar, level, joined FROM players WHERE player_id = ?1`, playerID))
}

// SetGamertag implements profile.Accounts.
func (a Accounts) SetGamertag(ctx context.Context, playerID, tag string) error {
	_, err := Query[struct{}](ctx, a.DB, `UPDATE players SET gamertag = ?2 WHERE player_id = ?1`, playerID, tag)
	return err
}

// credential holds a PBKDF2-SHA256 password hash; salt and hash are base64 in
// the table, which encoding/json decodes into the byte slices.
type credential struct {
	PlayerID   string `json:"player_id"`
	Salt       []byte `json:"salt"`
	Hash       []byte `json:"hash"`
	Iterations int    `json:"iterations"`
}

// Verify checks a password and returns the player ID.
func (a Accounts) Verify(ctx context.Context, login, password string) (string, error) {
	c, err := first[credential](apperr.ErrUnauthorized)(Query[credential](ctx, a.DB,
		`SELECT player_id, salt, hash, iterations FROM credentials WHERE login = lower(?1)`, login))
	if err != nil {
		return "", err
	}
	got, err := pbkdf2.Key(sha256.New, password, c.Salt, c.Iterations, len(c.Hash))
	if err != nil {
		return "", err
	}
	if subtle.ConstantTimeCompare(got, c.Hash) != 1 {
		return "", apperr.ErrUnauthorized
	}
	return c.PlayerID, nil
}
