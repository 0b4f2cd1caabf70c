// Package season publishes seasonal configuration (season window, playlists,
// message of the day) from the backend into the CONFIG namespace.
package season

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"github.com/arcadia-games/shoveler/internal/kvbase"
	"github.com/arcadia-games/shoveler/internal/restkv"
)

// Season mirrors edgeops.Season; the backend owns the schema.
type Season struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	StartsAt  time.Time `json:"starts_at"`
	EndsAt    time.Time `json:"ends_at"`
	Playlists []string  `json:"playlists"`
}

// Playlist is a mode's map rotation.
type Playlist struct {
	Mode string   `json:"mode"`
	Maps []string `json:"maps"`
}

// DefaultPlaylists is the rotation a new tenant starts with.
var DefaultPlaylists = []Playlist{
	{Mode: "ranked", Maps: []string{"harbor", "foundry", "canopy", "spire"}},
	{Mode: "casual", Maps: []string{"harbor", "foundry", "canopy", "spire", "dunes"}},
	{Mode: "arena", Maps: []string{"pit", "ring"}},
}

// standingsQuery is the D1 query whose result the Worker serves from KV.
const standingsQuery = `SELECT p.player_id, p.display_name, s.region, SUM(m.points) AS points, ` +
	`COUNT(m.match_id) AS matches, SUM(CASE WHEN m.result = 'win' THEN 1 ELSE 0 END) AS wins, ` +
	`MAX(m.finished_at) AS last_match FROM players p JOIN season_entries s ON s.player_id = p.player_id ` +
	`JOIN match_results m ON m.player_id = p.player_id AND m.season_id = s.season_id ` +
	`WHERE s.season_id = ?1 AND m.finished_at BETWEEN ?2 AND ?3 AND p.banned = 0 AND m.voided = 0 ` +
	`GROUP BY p.player_id, p.display_name, s.region HAVING COUNT(m.match_id) >= 10 ` +
	`ORDER BY points DESC, wins DESC, last_match ASC LIMIT 500`

// Publisher writes season config for one tenant.
type Publisher struct {
	C       *restkv.Client
	API     *cloudflare.Client
	Account string
	Tenant  string
}

func (p *Publisher) key(parts ...string) string {
	return kvbase.Key(append([]string{p.Tenant}, parts...)...)
}

// Publish writes the current season. It expires when the season ends so the
// Worker falls back to the off-season screen.
func (p *Publisher) Publish(ctx context.Context, s Season) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	if time.Until(s.EndsAt) < time.Hour {
		return fmt.Errorf("season %s ends too soon to publish", s.ID)
	}
	return p.C.PutAt(ctx, p.key("season", "current"), b, s.EndsAt)
}

// EnsurePlaylists writes the default playlists for any mode that has none.
func (p *Publisher) EnsurePlaylists(ctx context.Context) error {
	var errs []error
	for _, pl := range DefaultPlaylists {
		key := p.key("playlist", pl.Mode)
		if _, err := p.C.Get(ctx, key); err == nil { // EXPECT kvnull
			continue
		}
		b, _ := json.Marshal(pl)
		errs = append(errs, p.C.Put(ctx, key, b, 0)) // DEBATABLE kvrace
	}
	return errors.Join(errs...)
}

// SetPlaylist replaces one playlist, creating it if needed.
func (p *Publisher) SetPlaylist(ctx context.Context, pl Playlist) error {
	b, err := json.Marshal(pl)
	if err != nil {
		return err
	}
	return p.C.Put(ctx, p.key("playlist", pl.Mode), b, 0)
}

// EnsureMOTD writes an empty message of the day if the tenant has none.
func (p *Publisher) EnsureMOTD(ctx context.Context) error {
	key := p.key("motd")
	_, err := p.C.Get(ctx, key)
	if err == nil {
		return nil
	}
	var nf *kvbase.NotFoundError
	if !errors.As(err, &nf) {
		return err
	}
	return p.C.Put(ctx, key, []byte(`{"title":"","body":""}`), 0)
}

// Current reads back the published season straight from the REST API.
func (p *Publisher) Current(ctx context.Context) (*Season, error) {
	res, err := p.API.KV.Namespaces.Values.Get(ctx, p.C.Namespace(), p.key("season", "current"), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(p.Account),
	})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if len(body) == 0 { // EXPECT kvnull
		return nil, nil
	}
	var s Season
	return &s, json.Unmarshal(body, &s)
}

// Row is one standings row.
type Row struct {
	Player string `json:"player"`
	Name   string `json:"name"`
	Region string `json:"region"`
	Points int    `json:"points"`
}

// CacheStandings stores the standings query result for the Worker, keyed by
// the query it came from so a query change never serves stale columns.
func (p *Publisher) CacheStandings(ctx context.Context, rows []Row) error {
	b, err := json.Marshal(rows)
	if err != nil {
		return err
	}
	return p.C.Put(ctx, "sqlcache:"+standingsQuery, b, 15*time.Minute) // EXPECT kvlimits
}

// Tick republishes the season marker once per scheduler tick so Workers see
// config changes within a minute.
func (p *Publisher) Tick(ctx context.Context, s Season, now time.Time) error {
	b, _ := json.Marshal(map[string]any{"season": s.ID, "published": now.Unix()})
	return p.C.Put(ctx, p.key("season", "tick"), b, 10*time.Minute)
}
