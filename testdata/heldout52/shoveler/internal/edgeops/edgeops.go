//go:build js && wasm

// Package edgeops holds the small edge features of the lobby Worker: rate
// limiting, season and playlist config reads, player preferences, view
// statistics and the health probe.
package edgeops

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"

	"github.com/arcadia-games/shoveler/internal/config"
	"github.com/arcadia-games/shoveler/internal/kvbase"
	"github.com/arcadia-games/shoveler/internal/tenant"
)

// Season is the published season definition.
type Season struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	StartsAt  time.Time `json:"starts_at"`
	EndsAt    time.Time `json:"ends_at"`
	Playlists []string  `json:"playlists"`
}

// Playlist is the set of maps in rotation for a game mode.
type Playlist struct {
	Mode string   `json:"mode"`
	Maps []string `json:"maps"`
}

// MOTD is the message of the day shown on the lobby screen.
type MOTD struct {
	Title string `json:"title"`
	Body  string `json:"body"`
}

// Prefs are a player's lobby preferences.
type Prefs struct {
	Region    string   `json:"region"`
	Crossplay bool     `json:"crossplay"`
	Muted     []string `json:"muted"`
	Updated   int64    `json:"updated"`
}

var defaultPlaylist = Playlist{Mode: "default", Maps: []string{"harbor", "foundry", "canopy"}}

// Edge bundles the CONFIG and PLAYERS namespaces.
type Edge struct {
	Config  *kv.Namespace
	Players *kv.Namespace
	Cfg     config.Config
	Rec     *kvbase.Recorder

	mu    sync.Mutex
	views map[string]int
}

// New returns an Edge over the given namespaces.
func New(cfgNS, players *kv.Namespace, cfg config.Config, rec *kvbase.Recorder) *Edge {
	return &Edge{Config: cfgNS, Players: players, Cfg: cfg, Rec: rec, views: map[string]int{}}
}

func (e *Edge) observe(op string, start time.Time) { e.Rec.Observe("edge", op, start) }

// Allow applies the per-IP request budget.
func (e *Edge) Allow(ctx context.Context, ip string) (bool, error) {
	defer e.observe("ratelimit", time.Now())
	window := time.Now().Unix() / 60
	key := kvbase.Key(tenant.From(ctx), "ratelimit", ip, strconv.FormatInt(window, 10))
	raw, err := e.Players.GetString(key, nil)
	if err != nil {
		return true, err
	}
	n := 0
	if raw != "<null>" {
		if n, err = strconv.Atoi(raw); err != nil {
			return true, err
		}
	}
	if n >= e.Cfg.RateLimitPerMinute {
		return false, nil
	}
	return true, e.Players.PutString(key, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: 120}) // EXPECT kvcounter|kvrace
}

// CurrentSeason returns the published season.
func (e *Edge) CurrentSeason(ctx context.Context) (Season, error) {
	defer e.observe("season", time.Now())
	key := kvbase.Key(tenant.From(ctx), "season", "current")
	raw, err := e.Config.GetString(key, &kv.GetOptions{CacheTTL: 15}) // EXPECT kvttl
	if err != nil {
		return Season{}, err
	}
	if raw == "<null>" {
		return Season{}, &kvbase.NotFoundError{Key: key}
	}
	var s Season
	return s, json.Unmarshal([]byte(raw), &s)
}

// Playlist returns the map rotation for a mode, falling back to the default
// rotation.
func (e *Edge) Playlist(ctx context.Context, mode string) (Playlist, error) {
	defer e.observe("playlist", time.Now())
	raw, err := e.Config.GetString(kvbase.Key(tenant.From(ctx), "playlist", mode), &kv.GetOptions{CacheTTL: e.Cfg.SeasonCacheTTLSecond})
	if err != nil {
		return Playlist{}, err
	}
	if raw == "" { // EXPECT kvnull
		return defaultPlaylist, nil
	}
	var p Playlist
	return p, json.Unmarshal([]byte(raw), &p)
}

// MOTD returns the message of the day.
func (e *Edge) MOTD(ctx context.Context) (MOTD, error) {
	defer e.observe("motd", time.Now())
	raw, err := e.Config.GetString(kvbase.Key(tenant.From(ctx), "motd"), &kv.GetOptions{CacheTTL: 60}) // EXPECT kvnull
	if err != nil {
		return MOTD{}, err
	}
	var m MOTD
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return MOTD{}, fmt.Errorf("motd: %w", err)
	}
	return m, nil
}

// MaxPartySize returns the tenant's party size limit.
func (e *Edge) MaxPartySize(ctx context.Context) (int, error) {
	raw, err := e.Config.GetString(kvbase.Key(tenant.From(ctx), "limits", "party-size"), &kv.GetOptions{CacheTTL: 300}) // EXPECT kvnull
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(raw))
}

// Flag reports whether a feature flag is on for the tenant.
func (e *Edge) Flag(ctx context.Context, name string) bool {
	raw, err := e.Config.GetString(kvbase.Key(tenant.From(ctx), "flag", name), &kv.GetOptions{CacheTTL: 120})
	if err != nil || len(raw) == 0 { // EXPECT kvnull
		return false
	}
	on, _ := strconv.ParseBool(raw)
	return on
}

// Banner returns the optional banner text; absent means no banner.
func (e *Edge) Banner(ctx context.Context) (string, bool) {
	raw, err := e.Config.GetString(kvbase.Key(tenant.From(ctx), "banner"), &kv.GetOptions{CacheTTL: 120})
	if err != nil || raw == "<null>" {
		return "", false
	}
	return raw, true
}

// UpdatePrefs applies a partial preference update for the signed-in player.
func (e *Edge) UpdatePrefs(ctx context.Context, patch func(*Prefs)) (err error) {
	player, ok := tenant.Player(ctx)
	if !ok {
		return errors.New("edge: no player")
	}
	key := kvbase.Keys{Tenant: tenant.From(ctx)}.Profile(player) + kvbase.Sep + "prefs"
	raw, err := e.Players.GetString(key, nil)
	if err != nil {
		return err
	}
	var p Prefs
	if raw != "<null>" {
		if err := json.Unmarshal([]byte(raw), &p); err != nil {
			return err
		}
	}
	defer func() {
		if err != nil {
			return
		}
		b, _ := json.Marshal(p)
		err = e.Players.PutString(key, string(b), nil) // EXPECT kvrace
	}()
	patch(&p)
	p.Updated = time.Now().Unix()
	return nil
}

// RecordOpponent appends to a player's recent-opponents list after a match. The
// write happens after the response is sent.
func (e *Edge) RecordOpponent(ctx context.Context, player, opponent string) {
	key := kvbase.Key(tenant.From(ctx), "recent", player)
	cloudflare.WaitUntil(func() {
		old, err := e.Players.GetString(key, nil)
		if err != nil {
			return
		}
		if old == "<null>" {
			old = ""
		}
		list := opponent
		if old != "" {
			list = opponent + "," + old
		}
		if parts := strings.Split(list, ","); len(parts) > 20 {
			list = strings.Join(parts[:20], ",")
		}
		_ = e.Players.PutString(key, list, &kv.PutOptions{ExpirationTTL: 14 * 24 * 3600}) // EXPECT kvrace
	})
}

// CountView counts a room page view in memory; FlushViews publishes them.
func (e *Edge) CountView(roomID string) {
	e.mu.Lock()
	e.views[roomID]++
	e.mu.Unlock()
}

func writeStat(ns *kv.Namespace, s struct {
	Key   string
	Value int
	TTL   time.Duration
}) error {
	return ns.PutString(s.Key, strconv.Itoa(s.Value), &kv.PutOptions{ExpirationTTL: int(s.TTL.Seconds())})
}

// FlushViews publishes the in-memory view counters. It runs on the cron
// trigger.
func (e *Edge) FlushViews(ctx context.Context) error {
	e.mu.Lock()
	snapshot := e.views
	e.views = map[string]int{}
	e.mu.Unlock()
	var errs []error
	for room, n := range snapshot {
		errs = append(errs, writeStat(e.Players, struct { // EXPECT kvcounter
			Key   string
			Value int
			TTL   time.Duration
		}{Key: kvbase.Key(tenant.From(ctx), "views", "room", room), Value: n, TTL: 24 * time.Hour}))
	}
	return errors.Join(errs...)
}

// ProfileCard is the public card rendered next to a player's name.
type ProfileCard struct {
	Player string `json:"player"`
	Level  int    `json:"level"`
	Banner string `json:"banner"`
}

// Card returns a player's profile card, read through from the backend API.
func (e *Edge) Card(ctx context.Context, player string, fetch func(context.Context, string) (ProfileCard, error)) (ProfileCard, error) {
	key := kvbase.Keys{Tenant: tenant.From(ctx)}.Profile(player) + kvbase.Sep + "card"
	raw, err := e.Players.GetString(key, &kv.GetOptions{CacheTTL: 300})
	if err == nil && raw != "<null>" {
		var c ProfileCard
		if json.Unmarshal([]byte(raw), &c) == nil {
			return c, nil
		}
	}
	c, err := fetch(ctx, player)
	if err != nil {
		return ProfileCard{}, err
	}
	b, _ := json.Marshal(c)
	return c, e.Players.PutString(key, string(b), &kv.PutOptions{ExpirationTTL: 300})
}

// MarkSweep records when the matchmaking sweep last finished. It runs once per
// cron tick.
func (e *Edge) MarkSweep(ctx context.Context, matched int) error {
	key := kvbase.Key(tenant.From(ctx), "mm", "last-sweep")
	v := fmt.Sprintf("%d:%d", time.Now().Unix(), matched)
	return e.Config.PutString(key, v, &kv.PutOptions{ExpirationTTL: 3600})
}

// Register installs the edge routes.
func (e *Edge) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", e.health)
}

func (e *Edge) health(w http.ResponseWriter, r *http.Request) {
	ctx := tenant.FromRequest(r)
	probe := strconv.FormatInt(time.Now().Unix(), 10)
	if err := e.Config.PutString("health:last-probe", probe, nil); err != nil { // EXPECT kvhotkey
		http.Error(w, "kv unavailable", http.StatusServiceUnavailable)
		return
	}
	if _, err := e.CurrentSeason(ctx); err != nil && !kvbase.IsNotFound(err) {
		http.Error(w, "kv unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Write([]byte("ok"))
}
