//go:build js && wasm

package votes

import (
	"cmp"
	"context"
	"net/http"
	"slices"
	"time"

	"merlin/internal/bus"
	"merlin/internal/config"
	"merlin/internal/events"
	"merlin/internal/expiry"
	"merlin/internal/httpx"
	"merlin/internal/keys"
	"merlin/internal/kvstore"
)

// Entry is one row of the leaderboard.
type Entry struct {
	DeviceID string `json:"device_id"`
	Nick     string `json:"nick"`
	Score    int    `json:"score"`
}

// Board is the leaderboard of one quiz.
type Board struct {
	Entries []Entry   `json:"entries"`
	Updated time.Time `json:"updated"`
}

// Leaderboard projects scored answers into the board record.
type Leaderboard struct {
	store  kvstore.Store
	keys   keys.KeyScheme
	cfg    *config.Holder
	expiry expiry.ExpiryPolicy
	ends   func(ctx context.Context, quizID string) (time.Time, error)
}

// NewLeaderboard returns the projection.
func NewLeaderboard(store kvstore.Store, ks keys.KeyScheme, cfg *config.Holder, pol expiry.ExpiryPolicy,
	ends func(ctx context.Context, quizID string) (time.Time, error)) *Leaderboard {
	return &Leaderboard{store: store, keys: ks, cfg: cfg, expiry: pol, ends: ends}
}

// Register subscribes the projection.
func (l *Leaderboard) Register(b *bus.Bus) {
	b.Subscribe(events.TopicAnswerSubmitted, func(ctx context.Context, evt bus.Event) error {
		return evt.(events.Event).Apply(boardVisit{l: l, ctx: ctx})
	})
}

type boardVisit struct {
	events.Ignore
	l   *Leaderboard
	ctx context.Context
}

func (v boardVisit) VisitAnswer(e events.AnswerSubmitted) error {
	if e.Points == 0 {
		return nil
	}
	cfg := v.l.cfg.Load()
	key := v.l.keys.Leaderboard(e.QuizID)
	cur, err := kvstore.GetJSON[Board](v.ctx, v.l.store, key).Unwrap()
	if err != nil {
		return err
	}
	board := cur.OrElse(Board{})
	i := slices.IndexFunc(board.Entries, func(x Entry) bool { return x.DeviceID == e.DeviceID })
	if i < 0 {
		board.Entries = append(board.Entries, Entry{DeviceID: e.DeviceID, Nick: e.Nick})
		i = len(board.Entries) - 1
	}
	board.Entries[i].Score += e.Points
	board.Entries[i].Nick = e.Nick
	slices.SortStableFunc(board.Entries, func(a, b Entry) int { return cmp.Compare(b.Score, a.Score) })
	if len(board.Entries) > cfg.LeaderboardSize*5 {
		board.Entries = board.Entries[:cfg.LeaderboardSize*5]
	}
	board.Updated = e.At
	end, err := v.l.ends(v.ctx, e.QuizID)
	if err != nil {
		return err
	}
	ttl := max(v.l.expiry.For(e.At, end), time.Hour)
	return v.l.store.PutJSON(v.ctx, key, board, ttl) // EXPECT kvrace
}

// Top returns the first entries of the board.
func (l *Leaderboard) Top(w http.ResponseWriter, r *http.Request) error {
	cfg := l.cfg.Load()
	got, err := kvstore.GetJSON[Board](r.Context(), l.store, l.keys.Leaderboard(r.PathValue("id"))).Unwrap()
	if err != nil {
		return err
	}
	board := got.OrElse(Board{})
	return httpx.JSON(w, http.StatusOK, board.Entries[:min(len(board.Entries), cfg.LeaderboardSize)])
}
