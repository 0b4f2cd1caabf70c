// Package leaderboard keeps season leaderboards and score submissions.
package leaderboard

import (
	"cmp"
	"context"
	"errors"
	"io"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"github.com/hoatzin-games/hoatzin/internal/keys"
	"github.com/hoatzin-games/hoatzin/internal/kvstore"
	"github.com/hoatzin-games/hoatzin/internal/metrics"
)

const topN = 100

// Entry is one row of a leaderboard.
type Entry struct {
	PlayerID string `json:"playerId"`
	Score    int    `json:"score"`
}

// Service maintains leaderboards.
type Service struct {
	KV     *kvstore.Namespace
	Policy kvstore.Policy

	mu    sync.Mutex
	views map[string]int64
}

// Submit records a score and updates the top list of the board.
func (s *Service) Submit(ctx context.Context, b keys.Board, e Entry) ([]Entry, error) {
	var top []Entry
	if err := s.KV.GetJSON(ctx, b, &top); err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}
	i := slices.IndexFunc(top, func(x Entry) bool { return x.PlayerID == e.PlayerID })
	switch {
	case i < 0:
		top = append(top, e)
	case top[i].Score < e.Score:
		top[i].Score = e.Score
	}
	slices.SortFunc(top, func(a, b Entry) int { return cmp.Compare(b.Score, a.Score) })
	top = top[:min(len(top), topN)]
	if err := s.KV.PutJSON(ctx, b, top, 0); err != nil { // EXPECT kvrace
		return nil, err
	}
	return top, s.recordBest(ctx, b, e)
}

func (s *Service) recordBest(ctx context.Context, b keys.Board, e Entry) error {
	k := keys.Best{Board: b, PlayerID: e.PlayerID}
	raw, err := s.KV.Get(ctx, k)
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	if best, _ := strconv.Atoi(string(raw)); err == nil && best >= e.Score {
		return nil
	}
	return s.KV.Put(ctx, k, []byte(strconv.Itoa(e.Score)), 0) // DEBATABLE kvrace
}

// Top returns the board, counting the view.
func (s *Service) Top(ctx context.Context, b keys.Board, n int) ([]Entry, error) {
	var top []Entry
	if err := s.KV.GetJSON(ctx, b, &top); err != nil {
		if !errors.Is(err, kvstore.ErrNotFound) {
			return nil, err
		}
		return nil, nil
	}
	name, _ := kvstore.Name(b)
	metrics.BoardViews.Add(name, 1)
	s.mu.Lock()
	if s.views == nil {
		s.views = map[string]int64{}
	}
	s.views[name]++
	seen := s.views[name]
	s.mu.Unlock()
	if seen%50 == 0 {
		_ = s.KV.Put(ctx, keys.Static("lb:views:"+name), []byte(strconv.FormatInt(seen, 10)), 0) // EXPECT kvcounter
	}
	return top[:min(n, len(top))], nil
}

// Raw returns the stored board document exactly as written.
func (s *Service) Raw(ctx context.Context, b keys.Board) ([]byte, error) {
	name, err := kvstore.Name(b)
	if err != nil {
		return nil, err
	}
	res, err := s.KV.API.KV.Namespaces.Values.Get(ctx, s.KV.ID, name, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.KV.AccountID),
	})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if len(raw) == 0 { // EXPECT kvnull
		return []byte("[]"), nil
	}
	return raw, nil
}

// Seasons lists every board of a season for the archive job.
func (s *Service) Seasons(ctx context.Context, season string) ([]string, error) {
	pager := s.KV.API.KV.Namespaces.Keys.ListAutoPaging(ctx, s.KV.ID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(s.KV.AccountID),
		Prefix:    cloudflare.F("lb:" + season + ":"),
	})
	var names []string
	for pager.Next() {
		names = append(names, pager.Current().Name)
	}
	return names, pager.Err()
}

// Recent lists at most budget boards of a season, newest season first.
func (s *Service) Recent(ctx context.Context, season string, budget int) ([]string, error) {
	pager := s.KV.API.KV.Namespaces.Keys.ListAutoPaging(ctx, s.KV.ID, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.KV.AccountID),
		Prefix:    cloudflare.F("lb:" + season + ":"),
		Limit:     cloudflare.F(1000.0),
	})
	var names []string
	for pager.Next() && len(names) < budget {
		names = append(names, pager.Current().Name)
	}
	return names, pager.Err()
}

// Archive lists one page of a season's boards for the archive job.
func (s *Service) Archive(ctx context.Context, season, cursor string) ([]kv.Key, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.KV.AccountID),
		Prefix:    cloudflare.F("lb:" + season + ":"),
		Limit:     cloudflare.F(2000.0), // EXPECT kvlimits
		Cursor:    cloudflare.F(cursor),
	}
	page, err := s.KV.API.KV.Namespaces.Keys.List(ctx, s.KV.ID, params)
	if err != nil {
		return nil, "", err
	}
	return page.Result, page.ResultInfo.Cursor, nil
}

// Publish writes the final ranks of a season in bulk.
func (s *Service) Publish(ctx context.Context, b keys.Board, ranked []Entry) error {
	name, _ := kvstore.Name(b)
	entries := make([]kvstore.Entry, 0, len(ranked))
	for i, e := range ranked {
		entries = append(entries, kvstore.Entry{
			Key:   name + ":rank:" + e.PlayerID,
			Value: strconv.Itoa(i + 1),
			TTL:   90 * 24 * time.Hour,
		})
	}
	return s.KV.PutMany(ctx, entries)
}

// CacheTop stores a computed top list for the API's read path.
func (s *Service) CacheTop(ctx context.Context, b keys.Board, top []Entry) error {
	return s.KV.Fill(ctx, keys.Static("cache:"+mustName(b)), top, 30*time.Second)
}

func mustName(b keys.Board) string {
	n, err := kvstore.Name(b)
	if err != nil {
		panic(err)
	}
	return n
}
