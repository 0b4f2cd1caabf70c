//go:build js && wasm

// Package standings serves league tables from the edge, computing them at
// the backend when the cached copy has expired.
package standings

import (
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"

	"example.com/plover/internal/edge/kvactor"
	"example.com/plover/internal/edge/kvbind"
	"example.com/plover/internal/httpx"
	"example.com/plover/internal/league"
)

// Origin computes tables from the authoritative match database.
type Origin interface {
	Standings(ctx context.Context, season league.SeasonID) ([]league.Standing, error)
}

// Service implements the standings endpoints.
type Service struct {
	kv     *kvbind.Client
	ns     *cloudflare.KVNamespace
	actor  *kvactor.Actor
	origin Origin
	ttl    time.Duration
	now    func() time.Time
}

// Option configures the service.
type Option func(*Service)

// WithCacheTTL sets how long a computed table is served before recomputing.
func WithCacheTTL(d time.Duration) Option { return func(s *Service) { s.ttl = d } }

// New builds the service.
func New(kv *kvbind.Client, actor *kvactor.Actor, origin Origin, opts ...Option) *Service {
	s := &Service{kv: kv, ns: kv.Binding(), actor: actor, origin: origin, ttl: 5 * time.Minute, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Register subscribes the cache invalidation listener.
func (s *Service) Register(bus *league.Bus) {
	bus.Subscribe("standings.invalidate", func(ctx context.Context, e league.Event) error {
		ev, ok := e.(league.ScoreReported)
		if !ok || !ev.Score.Final {
			return nil
		}
		return s.kv.Delete("standings:" + string(ev.Season))
	})
}

// Table is the response body of GET /standings/{season}.
type Table struct {
	Season league.SeasonID   `json:"season"`
	Rows   []league.Standing `json:"rows"`
	Cached bool              `json:"cached"`
}

// Table returns the league table for a season.
func (s *Service) Table(ctx context.Context, req httpx.Request) (Table, error) {
	season := league.SeasonID(req.Path("season"))
	if err := s.countView(ctx, string(season)); err != nil {
		slog.Warn("count view", "season", season, "err", err)
	}
	t := Table{Season: season}
	key := "standings:" + string(season)
	raw, ok, err := s.kv.Lookup(key)
	if err != nil {
		return t, err
	}
	if ok {
		t.Cached = true
		return t, json.Unmarshal([]byte(raw), &t.Rows)
	}
	rows, err := s.origin.Standings(ctx, season)
	if err != nil {
		return t, err
	}
	t.Rows = rows
	body, _ := json.Marshal(rows)
	// Never cache for less than KV's minimum lifetime.
	ttl := max(s.ttl, time.Minute)
	if err := s.kv.Put(key, string(body), &kvbind.PutOpts{TTL: ttl}); err != nil {
		slog.Warn("cache standings", "season", season, "err", err)
	}
	return t, nil
}

// countView records a page view for the season's table.
func (s *Service) countView(ctx context.Context, season string) error {
	key := "views:standings:" + season
	v, found, err := s.actor.Get(ctx, key)
	if err != nil {
		return err
	}
	n := 0
	if found {
		n, _ = strconv.Atoi(v)
	}
	return s.actor.Put(ctx, key, strconv.Itoa(n+1), 0) // EXPECT kvcounter
}

// Banner is the notice shown above the table (rain-outs, field closures).
type Banner struct {
	Text string `json:"text,omitempty"`
}

// Banner returns the current notice, if any.
func (s *Service) Banner(ctx context.Context, _ httpx.Request) (Banner, error) {
	v, err := s.ns.GetString("banner:home", &cloudflare.KVNamespaceGetOptions{
		CacheTTL: 10, // EXPECT kvttl
	})
	if err != nil {
		return Banner{}, err
	}
	if kvbind.Missing(v) {
		return Banner{}, nil
	}
	return Banner{Text: v}, nil
}

// PlayerCount returns how many players are registered for a season.
func (s *Service) PlayerCount(ctx context.Context, req httpx.Request) (int, error) {
	res, err := s.ns.List(&cloudflare.KVNamespaceListOptions{ // EXPECT kvlist
		Prefix: "player:" + req.Path("season") + ":",
	})
	if err != nil {
		return 0, err
	}
	return len(res.Keys), nil
}
