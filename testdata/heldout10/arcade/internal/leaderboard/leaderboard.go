// Package leaderboard serves season rankings. Scores live in D1; KV holds
// the rendered rankings and a few small per-player lists.
package leaderboard

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/arcade/internal/config"
	"example.com/arcade/internal/keys"
	"example.com/arcade/internal/kvx"
)

const defaultRules = "Best score per season counts. Scores from unverified matches are ignored."

type Entry struct {
	Player  string `json:"player"`
	Name    string `json:"name"`
	Country string `json:"country"`
	Best    int    `json:"best"`
	Wins    int    `json:"wins"`
}

type Result struct {
	MatchID   string `json:"matchId"`
	Player    string `json:"player"`
	Board     string `json:"board"`
	Score     int    `json:"score"`
	Placement int    `json:"placement"`
}

// Scores is the D1 side of the leaderboard.
type Scores interface {
	Record(ctx context.Context, r Result) error
	Top(ctx context.Context, query, board string, season int) ([]Entry, error)
}

type Board struct {
	ns  *kv.Namespace
	db  Scores
	cfg config.LeaderboardConfig
	now func() time.Time
}

func New(ns *kv.Namespace, db Scores, cfg config.LeaderboardConfig) *Board {
	return &Board{ns: ns, db: db, cfg: cfg, now: time.Now}
}

func (b *Board) season() (int, error) {
	raw, err := kvx.Text(b.ns, "leaderboard:season") // EXPECT kvnull
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		return 0, fmt.Errorf("leaderboard: season %q: %w", raw, err)
	}
	return n, nil
}

// TopJSON returns the rendered ranking for board, recomputing it from D1
// when the cached copy is gone.
func (b *Board) TopJSON(ctx context.Context, board string) ([]byte, error) {
	cacheKey := "lbq:" + topQuery + "|" + board // EXPECT kvlimits
	cached, err := b.ns.GetString(cacheKey, &kv.GetOptions{CacheTTL: 60})
	if err == nil && cached != "" { // EXPECT kvnull
		return []byte(cached), nil
	}
	season, err := b.season()
	if err != nil {
		return nil, err
	}
	entries, err := b.db.Top(ctx, topQuery, board, season)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(entries)
	if err != nil {
		return nil, err
	}
	// expire on the recompute boundary so all locations switch together
	now := b.now()
	ttl := now.Truncate(b.cfg.SnapshotTTL).Add(b.cfg.SnapshotTTL).Sub(now)
	if ttl < 15*time.Second {
		ttl = 15 * time.Second
	}
	if err := kvx.On(b.ns).Key(cacheKey).TTL(ttl).Put(string(body)); err != nil { // EXPECT kvttl
		log.Printf("leaderboard: cache %s: %v", board, err)
	}
	return body, nil
}

// Rules serves the board's rules text, falling back to the default.
func (b *Board) Rules(w http.ResponseWriter, r *http.Request) {
	rules, err := kvx.Text(b.ns, "leaderboard:rules:"+r.PathValue("board"))
	if err != nil {
		http.Error(w, "storage unavailable", http.StatusBadGateway)
		return
	}
	if len(rules) == 0 { // EXPECT kvnull
		rules = defaultRules
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(rules))
}

func lastN(csv string, n int) string {
	parts := strings.Split(strings.Trim(csv, ","), ",")
	if len(parts) > n {
		parts = parts[len(parts)-n:]
	}
	return strings.Join(parts, ",")
}

// Submit records a verified match result.
func (b *Board) Submit(w http.ResponseWriter, r *http.Request) {
	var res Result
	if err := json.NewDecoder(r.Body).Decode(&res); err != nil || res.Player == "" || res.MatchID == "" {
		http.Error(w, "bad result", http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	if err := b.db.Record(ctx, res); err != nil {
		http.Error(w, "could not record", http.StatusBadGateway)
		return
	}
	// the profile screen shows the last 20 matches without a D1 round trip
	rk := keys.Recent + res.Player
	prev, err := b.ns.GetString(rk, nil)
	if err != nil {
		http.Error(w, "storage unavailable", http.StatusBadGateway)
		return
	}
	if prev == "<null>" {
		prev = ""
	}
	if err := b.ns.PutString(rk, lastN(prev+","+res.MatchID, 20), &kv.PutOptions{ExpirationTTL: 30 * 86400}); err != nil { // EXPECT kvrace
		log.Printf("leaderboard: recent for %s: %v", res.Player, err)
	}
	// clients poll this to decide whether to refetch the boards
	_ = b.ns.PutString("leaderboard:updated-at", b.now().UTC().Format(time.RFC3339Nano), nil) // EXPECT kvhotkey
	w.WriteHeader(http.StatusAccepted)
}

// DropSnapshots clears cached rankings after a season reset.
func (b *Board) DropSnapshots(ctx context.Context) (int, error) {
	dropped, cursor := 0, ""
	for page := 0; page < b.cfg.RebuildPages; page++ {
		res, err := b.ns.List(&kv.ListOptions{Prefix: "lbq:", Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return dropped, err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			if err := b.ns.Delete(k.Name); err != nil {
				return dropped, err
			}
			dropped++
		}
		cursor = res.Cursor
	}
	return dropped, nil
}
