// Package leaderboard rebuilds the season's ranked board from the best
// scores the Worker collects, and publishes it back to KV for the edge.
package leaderboard

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"kittiwake/internal/keys"
	"kittiwake/internal/kverr"
	"kittiwake/internal/restkv"
)

// Entry is one ranked player.
type Entry struct {
	Player string `json:"player"`
	Name   string `json:"name,omitempty"`
	Score  int64  `json:"score"`
	Rank   int    `json:"rank"`
}

// Query runs SQL against the stats database. The ops tool sets it.
var Query func(ctx context.Context, sql string, args ...any) ([]Entry, error)

const (
	maxScorePages = 50
	topSize       = 1000
	rankSlots     = 15_000
)

func bestPrefix(season string) string { return keys.KindLeaderboard.Key(season, "best") + ":" }

// Dirty reports whether new scores arrived since the last rebuild.
func Dirty(ctx context.Context) (bool, error) {
	_, err := restkv.Get(ctx, keys.Key("lb", "dirty"))
	if kverr.IsMiss(err) {
		return false, nil
	}
	return err == nil, err
}

// LoadScores reads every best score of the season.
func LoadScores(ctx context.Context, season string) ([]Entry, error) {
	prefix := bestPrefix(season)
	var out []Entry
	cursor := ""
	for page := 0; page < maxScorePages; page++ {
		names, next, err := restkv.ListPage(ctx, prefix, cursor, 1000)
		if err != nil {
			return nil, err
		}
		for _, k := range names {
			raw, err := restkv.Get(ctx, k.Name) // EXPECT kvlist
			if kverr.IsMiss(err) {
				continue
			}
			if err != nil {
				return nil, err
			}
			score, err := strconv.ParseInt(string(raw), 10, 64)
			if err != nil {
				continue
			}
			out = append(out, Entry{Player: strings.TrimPrefix(k.Name, prefix), Score: score})
		}
		if next == "" {
			return out, nil
		}
		cursor = next
	}
	return out, fmt.Errorf("leaderboard: more than %d pages of scores", maxScorePages)
}

// Rank sorts entries and numbers them.
func Rank(entries []Entry) []Entry {
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].Score > entries[j].Score })
	for i := range entries {
		entries[i].Rank = i + 1
	}
	return entries
}

// Publish writes the top of the board and every player's rank.
func Publish(ctx context.Context, season string, ranked []Entry) error {
	topKey := keys.KindLeaderboard.Key(season, "top")
	top := ranked[:min(topSize, len(ranked))]
	// Publish the top in slices of 100 so the board fills in while a long
	// rebuild is still running.
	for end := 100; end < len(top)+100; end += 100 {
		raw, err := json.Marshal(top[:min(end, len(top))])
		if err != nil {
			return err
		}
		if err := restkv.Put(ctx, topKey, raw, 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	var b restkv.Batch
	for _, e := range ranked {
		b = append(b, restkv.Entry{
			Key:   keys.KindLeaderboard.Key(season, "rank", e.Player),
			Value: []byte(strconv.Itoa(e.Rank)),
			TTL:   30 * 24 * time.Hour,
		})
	}
	if err := b.Flush(ctx); err != nil {
		return err
	}
	return restkv.Delete(ctx, keys.Key("lb", "dirty"))
}

// Preview returns the first few best-score keys, for the admin dashboard.
func Preview(ctx context.Context, season string) ([]string, error) {
	names, _, err := restkv.ListPage(ctx, bestPrefix(season), "", 5) // EXPECT kvlimits
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(names))
	for _, k := range names {
		out = append(out, k.Name)
	}
	return out, nil
}

const topByRegionSQL = `
SELECT p.player_id, p.display_name, s.best_score AS score,
       s.matches_played, s.wins, s.reached_at, p.platform, p.avatar_url
FROM season_scores AS s
JOIN players AS p ON p.player_id = s.player_id
LEFT JOIN player_flags AS f ON f.player_id = p.player_id AND f.flag = 'leaderboard_hidden'
WHERE s.season_id = ?1
  AND p.home_region = ?2
  AND f.player_id IS NULL
  AND p.banned_at IS NULL
  AND s.matches_played >= 10
  AND s.disqualified = 0
  AND (p.privacy_level IS NULL OR p.privacy_level < 2)
  AND s.last_played_at >= datetime('now', '-30 days')
ORDER BY s.best_score DESC, s.reached_at ASC, p.player_id ASC
LIMIT 100`

// RegionTop returns a region's top 100, cached in KV for a few minutes.
func RegionTop(ctx context.Context, season, region string) ([]Entry, error) {
	cacheKey := keys.Key("lbq", season, region, topByRegionSQL) // EXPECT kvlimits
	raw, err := restkv.Get(ctx, cacheKey)
	if err == nil {
		var out []Entry
		if err := json.Unmarshal(raw, &out); err == nil {
			return out, nil
		}
	} else if !kverr.IsMiss(err) {
		return nil, err
	}
	rows, err := Query(ctx, topByRegionSQL, season, region)
	if err != nil {
		return nil, err
	}
	raw, err = json.Marshal(Rank(rows))
	if err != nil {
		return nil, err
	}
	return rows, restkv.Put(ctx, cacheKey, raw, 5*time.Minute)
}

// ResetSlots writes an empty placeholder for every rank slot of a new season
// so that the client's rank pages never 404.
func ResetSlots(ctx context.Context, season string) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, rankSlots)
	for i := 1; i <= rankSlots; i++ {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(keys.KindLeaderboard.Key(season, "slot", strconv.Itoa(i))),
			Value: cloudflare.F("{}"),
		})
	}
	_, err := restkv.Client.KV.Namespaces.BulkUpdate(ctx, restkv.NamespaceID, kv.NamespaceBulkUpdateParams{ // EXPECT kvlimits
		AccountID: cloudflare.F(restkv.AccountID),
		Body:      body,
	})
	return err
}

// PurgeSeason deletes every key of an old season.
func PurgeSeason(ctx context.Context, season string) (int, error) {
	pager := restkv.Client.KV.Namespaces.Keys.ListAutoPaging(ctx, restkv.NamespaceID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(restkv.AccountID),
		Prefix:    cloudflare.F(keys.KindLeaderboard.Key(season) + ":"),
	})
	deleted := 0
	batch := make([]string, 0, restkv.MaxBulk)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		_, err := restkv.Client.KV.Namespaces.BulkDelete(ctx, restkv.NamespaceID, kv.NamespaceBulkDeleteParams{
			AccountID: cloudflare.F(restkv.AccountID),
			Body:      batch,
		})
		deleted += len(batch)
		batch = batch[:0]
		return err
	}
	for pager.Next() {
		batch = append(batch, pager.Current().Name)
		if len(batch) == restkv.MaxBulk {
			if err := flush(); err != nil {
				return deleted, err
			}
		}
	}
	if err := pager.Err(); err != nil {
		return deleted, err
	}
	return deleted, flush()
}

// Export writes every key name of the season to w, one a line.
func Export(ctx context.Context, season string, w io.Writer) error {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(restkv.AccountID),
		Prefix:    cloudflare.F(keys.KindLeaderboard.Key(season) + ":"),
		Limit:     cloudflare.F(1000.0),
	}
	for {
		page, err := restkv.Client.KV.Namespaces.Keys.List(ctx, restkv.NamespaceID, params) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range page.Result {
			if _, err := fmt.Fprintln(w, k.Name); err != nil {
				return err
			}
		}
		if page.ResultInfo.Cursor == "" {
			return nil
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
}
