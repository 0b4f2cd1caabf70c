// Package leaderboard keeps season leaderboards. The authoritative scores
// live in the game database; KV holds the boards the edge serves.
package leaderboard

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/killdeer-games/killdeer/internal/cfkv"
)

// Store is the KV namespace the boards are written to.
type Store = cfkv.Store

// TopN is how many entries a published board holds.
const TopN = 100

// liveKey is the board the in-game ticker polls.
const liveKey = "board:live"

// Entry is one ranked player.
type Entry struct {
	PlayerID string `json:"player_id"`
	Name     string `json:"name"`
	Score    int64  `json:"score"`
}

// Board is a season's published ranking.
type Board struct {
	Season  string    `json:"season"`
	Entries []Entry   `json:"entries"`
	Updated time.Time `json:"updated"`
}

// Source reads authoritative rankings from the database.
type Source interface {
	Top(ctx context.Context, season string, n int) ([]Entry, error)
	Profile(ctx context.Context, playerID string) (map[string]any, error)
}

// Service publishes boards.
type Service struct {
	KV  *Store
	DB  Source
	mu  sync.Mutex
	vws map[string]int
}

// New returns a Service.
func New(store *Store, db Source) *Service {
	return &Service{KV: store, DB: db, vws: make(map[string]int)}
}

type SubmitReq struct {
	Season   string `json:"season"`
	PlayerID string `json:"player_id"`
	Name     string `json:"name"`
	Score    int64  `json:"score"`
}

type SubmitResp struct {
	Rank int `json:"rank"`
}

// Submit folds a finished match's score into the season board.
func (s *Service) Submit(ctx context.Context, req SubmitReq) (SubmitResp, error) {
	key := "board:" + req.Season
	var b Board
	if err := s.KV.GetJSON(ctx, key, &b); err != nil && !cfkv.IsNotFound(err) {
		return SubmitResp{}, err
	}
	b.Season = req.Season
	i := slices.IndexFunc(b.Entries, func(e Entry) bool { return e.PlayerID == req.PlayerID })
	if i >= 0 {
		b.Entries[i].Score = max(b.Entries[i].Score, req.Score)
	} else {
		b.Entries = append(b.Entries, Entry{PlayerID: req.PlayerID, Name: req.Name, Score: req.Score})
	}
	slices.SortFunc(b.Entries, func(x, y Entry) int { return int(y.Score - x.Score) })
	if len(b.Entries) > TopN {
		b.Entries = b.Entries[:TopN]
	}
	b.Updated = time.Now().UTC()
	raw, err := json.Marshal(&b)
	if err != nil {
		return SubmitResp{}, err
	}
	if err := s.KV.Put(ctx, key, raw, map[string]any{"entries": len(b.Entries)}); err != nil { // EXPECT kvrace
		return SubmitResp{}, err
	}
	if err := s.KV.Put(ctx, liveKey, raw, nil); err != nil { // EXPECT kvhotkey
		return SubmitResp{}, err
	}
	rank := slices.IndexFunc(b.Entries, func(e Entry) bool { return e.PlayerID == req.PlayerID })
	return SubmitResp{Rank: rank + 1}, nil
}

// Publish rebuilds the current season board from the database and makes it
// the default board. It runs from the scheduler every few minutes.
func (s *Service) Publish(ctx context.Context, season string) error {
	raw, err := s.rebuild(ctx, season)
	if err != nil {
		return err
	}
	return s.KV.Put(ctx, "board:current", raw, nil)
}

func (s *Service) rebuild(ctx context.Context, season string) ([]byte, error) {
	top, err := s.DB.Top(ctx, season, TopN)
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(Board{Season: season, Entries: top, Updated: time.Now().UTC()})
	if err != nil {
		return nil, err
	}
	return raw, s.KV.Put(ctx, "board:"+season, raw, map[string]any{"entries": len(top)})
}

type ViewReq struct {
	PlayerID string `json:"player_id"`
}

// CountView records that someone opened a player's profile card.
func (s *Service) CountView(ctx context.Context, req ViewReq) (map[string]int, error) {
	s.mu.Lock()
	s.vws[req.PlayerID]++
	n := s.vws[req.PlayerID]
	s.mu.Unlock()
	err := s.KV.Put(ctx, "views:"+req.PlayerID, []byte(strconv.Itoa(n)), nil) // EXPECT kvcounter
	return map[string]int{"views": n}, err
}

type CardReq struct {
	PlayerID string `json:"player_id"`
}

// Card returns a player's profile card, cached in KV for an hour.
func (s *Service) Card(ctx context.Context, req CardReq) (json.RawMessage, error) {
	key := "card:" + req.PlayerID
	res, err := s.KV.Values.Get(ctx, s.KV.ID, key, s.KV.GetParams())
	if err != nil {
		return nil, fmt.Errorf("card %s: %w", req.PlayerID, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if len(raw) > 0 { // EXPECT kvnull
		return raw, nil
	}
	prof, err := s.DB.Profile(ctx, req.PlayerID)
	if err != nil {
		return nil, err
	}
	raw, _ = json.Marshal(prof)
	return raw, s.KV.PutTTL(ctx, key, raw, time.Hour)
}

// Season returns a published board, rebuilding it on a miss.
func (s *Service) Season(ctx context.Context, season string) (*Board, error) {
	var b Board
	err := s.KV.GetJSON(ctx, "board:"+season, &b)
	if err == nil {
		return &b, nil
	}
	if !errors.Is(err, cfkv.ErrNotFound) {
		return nil, err
	}
	raw, err := s.rebuild(ctx, season)
	if err != nil {
		return nil, err
	}
	return &b, json.Unmarshal(raw, &b)
}

// Snapshot writes the final board of a closed season and a short-lived
// "frozen" marker that clients show while the next season's board fills.
func (s *Service) Snapshot(ctx context.Context, season string, b *Board) error {
	raw, err := json.Marshal(b)
	if err != nil {
		return err
	}
	if err := s.KV.Put(ctx, "board:final:"+season, raw, nil); err != nil {
		return err
	}
	return s.KV.PutTTL(ctx, "board:frozen:"+season, []byte("1"), 30*time.Second) // EXPECT kvttl
}
