// Package leaderboard maintains hourly and seasonal leaderboards in KV for the
// Worker to serve. The backend is the only writer.
package leaderboard

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"github.com/arcadia-games/shoveler/internal/config"
	"github.com/arcadia-games/shoveler/internal/kvbase"
	"github.com/arcadia-games/shoveler/internal/restkv"
)

// Entry is one row of a board.
type Entry struct {
	Player string `json:"p"`
	Score  int64  `json:"s"`
	Region string `json:"r"`
}

// Board is a ranked list of entries.
type Board struct {
	Season  string    `json:"season"`
	Window  int64     `json:"window"`
	Entries []Entry   `json:"entries"`
	Updated time.Time `json:"updated"`
}

func (b *Board) insert(e Entry, size int) {
	i := slices.IndexFunc(b.Entries, func(x Entry) bool { return x.Player == e.Player })
	if i >= 0 {
		if b.Entries[i].Score >= e.Score {
			return
		}
		b.Entries = slices.Delete(b.Entries, i, i+1)
	}
	b.Entries = append(b.Entries, e)
	slices.SortFunc(b.Entries, func(x, y Entry) int { return int(y.Score - x.Score) })
	if len(b.Entries) > size {
		b.Entries = b.Entries[:size]
	}
}

// MatchDB is the slice of the match database the leaderboard needs.
type MatchDB interface {
	CountMatches(ctx context.Context, day time.Time) (int, error)
	TopScores(ctx context.Context, season, region string, n int) ([]Entry, error)
}

// BoardStore keeps boards under lb:<season>:<window>.
type BoardStore struct {
	restkv.Table[Board]
	cfg config.Config
	db  MatchDB

	mu    sync.Mutex
	quota map[string]int
}

// NewBoardStore returns a store over the LEADERBOARD namespace.
func NewBoardStore(c *restkv.Client, cfg config.Config, db MatchDB) *BoardStore {
	return &BoardStore{
		Table: restkv.Table[Board]{C: c, Prefix: "lb", TTL: 48 * time.Hour},
		cfg:   cfg,
		db:    db,
		quota: map[string]int{},
	}
}

func (s *BoardStore) window(now time.Time) (int64, time.Time) {
	start := now.UTC().Truncate(s.cfg.BoardWindow)
	return start.Unix(), start.Add(s.cfg.BoardWindow)
}

// Submit records a score in the current window.
func (s *BoardStore) Submit(ctx context.Context, season string, e Entry) error {
	win, _ := s.window(time.Now())
	w := strconv.FormatInt(win, 10)
	b, err := s.Get(ctx, season, w)
	if err != nil && !kvbase.IsNotFound(err) {
		return err
	}
	b.Season, b.Window = season, win
	b.insert(e, 100)
	b.Updated = time.Now().UTC()
	if err := s.Put(ctx, b, season, w); err != nil { // EXPECT kvrace
		return err
	}
	return s.chargeQuota(ctx, e.Player)
}

// chargeQuota mirrors the per-player daily submission count so the Worker can
// reject spam before it reaches the backend.
func (s *BoardStore) chargeQuota(ctx context.Context, player string) error {
	day := time.Now().UTC().Format("20060102")
	s.mu.Lock()
	s.quota[player+day]++
	used := s.quota[player+day]
	s.mu.Unlock()
	key := kvbase.Key("quota", player, day)
	return s.C.Put(ctx, key, []byte(strconv.Itoa(used)), 26*time.Hour) // EXPECT kvcounter
}

// PublishWindow writes the final board of the current window so the Worker can
// serve it until the window closes.
func (s *BoardStore) PublishWindow(ctx context.Context, season, region string) error {
	win, end := s.window(time.Now())
	top, err := s.db.TopScores(ctx, season, region, 100)
	if err != nil {
		return err
	}
	b, _ := json.Marshal(Board{Season: season, Window: win, Entries: top, Updated: time.Now().UTC()})
	key := kvbase.Key("lb", season, region, "final", strconv.FormatInt(win, 10))
	return s.C.Put(ctx, key, b,
		time.Until(end)) // EXPECT kvttl
}

// PublishSeason writes the season-long board for each region, plus the
// combined top list.
func (s *BoardStore) PublishSeason(ctx context.Context, season string, regions []string) error {
	combined := Board{Season: season}
	topKey := kvbase.Key("lb", season, "top")
	for _, region := range regions {
		top, err := s.db.TopScores(ctx, season, region, 100)
		if err != nil {
			return fmt.Errorf("region %s: %w", region, err)
		}
		for _, e := range top {
			combined.insert(e, 100)
		}
		b, _ := json.Marshal(Board{Season: season, Entries: top, Updated: time.Now().UTC()})
		if err := s.C.Put(ctx, kvbase.Key("lb", season, region), b, 6*time.Hour); err != nil {
			return err
		}
		combined.Updated = time.Now().UTC()
		cb, _ := json.Marshal(combined)
		if err := s.C.Put(ctx, topKey, cb, 6*time.Hour); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// PublishDailyStats publishes yesterday's match count for the landing page.
func (s *BoardStore) PublishDailyStats(ctx context.Context) error {
	day := time.Now().UTC().AddDate(0, 0, -1)
	n, err := s.db.CountMatches(ctx, day)
	if err != nil {
		return err
	}
	key := kvbase.Key("count", "matches", day.Format("20060102"))
	return s.C.Put(ctx, key, []byte(strconv.Itoa(n)), 30*24*time.Hour) // DEBATABLE kvcounter
}

// Rebuild rescores every board of a season into the "lbv2" prefix, e.g. after
// a scoring rule change; the Worker switches prefix once the rebuild is done.
func (s *BoardStore) Rebuild(ctx context.Context, season string, rescore func(Entry) Entry) (int, error) {
	keys, account, ns := s.C.Keys()
	pager := keys.ListAutoPaging(ctx, ns, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(account),
		Prefix:    cloudflare.F(kvbase.Key("lb", season) + kvbase.Sep),
		Limit:     cloudflare.F(1000.0),
	})
	rebuilt := 0
	for pager.Next() {
		k := pager.Current()
		raw, err := s.C.Get(ctx, k.Name) // EXPECT kvlist
		if err != nil {
			continue
		}
		var b Board
		if json.Unmarshal(raw, &b) != nil {
			continue
		}
		for i := range b.Entries {
			b.Entries[i] = rescore(b.Entries[i])
		}
		out, _ := json.Marshal(b)
		if err := s.C.Put(ctx, "lbv2"+strings.TrimPrefix(k.Name, "lb"), out, 48*time.Hour); err != nil {
			return rebuilt, err
		}
		rebuilt++
	}
	return rebuilt, pager.Err()
}

// Windows lists the window keys of a season, one page at a time, using the
// metadata written by Snapshot so no value needs to be fetched.
func (s *BoardStore) Windows(ctx context.Context, season string, maxPages int) ([]int64, error) {
	var out []int64
	cursor := ""
	for page := 0; page < maxPages; page++ {
		keys, next, err := s.C.Page(ctx, kvbase.Key("snap", season)+kvbase.Sep, cursor, 1000)
		if err != nil {
			return out, err
		}
		for _, k := range keys {
			if m, ok := k.Metadata.(map[string]any); ok {
				if w, ok := m["window"].(float64); ok {
					out = append(out, int64(w))
				}
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return out, nil
}

// Snapshot stores a board with a small metadata summary.
func (s *BoardStore) Snapshot(ctx context.Context, b Board) error {
	raw, _ := json.Marshal(b)
	meta := map[string]any{"window": b.Window, "n": len(b.Entries)}
	key := kvbase.Key("snap", b.Season, strconv.FormatInt(b.Window, 10))
	return s.C.PutMeta(ctx, key, raw, meta, 30*time.Second)
}

// Archive keeps a closed window for the season recap, expiring with the
// board window length after the season ends.
func (s *BoardStore) Archive(ctx context.Context, api *cloudflare.Client, account, ns string, b Board) error {
	raw, _ := json.Marshal(b)
	_, err := api.KV.Namespaces.Values.Update(ctx, ns, kvbase.Key("archive", b.Season, strconv.FormatInt(b.Window, 10)), kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(account),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(raw)),
		ExpirationTTL: cloudflare.F(float64(s.cfg.BoardWindow)), // EXPECT kvttl
	})
	return err
}

// seedSlots is regions x rank slots for a new season's placeholder boards.
const seedSlots = 24 * 500

// SeedSeason writes empty placeholder rows for every region and rank.
func (s *BoardStore) SeedSeason(ctx context.Context, api *cloudflare.Client, account, ns, season string) error {
	body := make([]kv.NamespaceKeyBulkUpdateParamsBody, 0, seedSlots)
	for i := 0; i < seedSlots; i++ {
		body = append(body, kv.NamespaceKeyBulkUpdateParamsBody{
			Key:   cloudflare.F(kvbase.Key("rank", season, strconv.Itoa(i/500), strconv.Itoa(i%500))),
			Value: cloudflare.F("{}"),
		})
	}
	_, err := api.KV.Namespaces.Keys.BulkUpdate(ctx, ns, kv.NamespaceKeyBulkUpdateParams{AccountID: cloudflare.F(account), Body: body}) // EXPECT kvlimits
	return err
}

// SeedRegions is SeedSeason for a handful of regions, through the chunking
// client.
func (s *BoardStore) SeedRegions(ctx context.Context, season string, regions []string) ([]string, error) {
	pairs := make([]restkv.Pair, 0, len(regions)*500)
	for _, r := range regions {
		for rank := range 500 {
			pairs = append(pairs, restkv.Pair{Key: kvbase.Key("rank", season, r, strconv.Itoa(rank)), Value: "{}", TTL: 90 * 24 * time.Hour})
		}
	}
	return s.C.BulkPut(ctx, pairs)
}
