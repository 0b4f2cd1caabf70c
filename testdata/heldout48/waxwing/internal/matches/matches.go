// Package matches ingests the results game servers post when a match ends,
// keeps per-player stats and takes player reports.
package matches

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"github.com/lanternforge/waxwing/internal/keys"
	"github.com/lanternforge/waxwing/internal/kvstore"
	"github.com/lanternforge/waxwing/internal/leaderboard"
)

const pointsPerWin = 25

// Result is what a game server posts at the end of a match.
type Result struct {
	MatchID string    `json:"match_id"`
	Season  int       `json:"season"`
	Mode    string    `json:"mode"`
	Region  string    `json:"region"`
	Server  string    `json:"server"`
	Winners []string  `json:"winners"`
	Losers  []string  `json:"losers"`
	Ended   time.Time `json:"ended_at"`
}

// Stats is the per-player record shown on profiles.
type Stats struct {
	Wins      int       `json:"wins"`
	Losses    int       `json:"losses"`
	LastMatch string    `json:"last_match"`
	Updated   time.Time `json:"updated"`
}

type Service struct {
	kv     *kvstore.Logged
	board  *leaderboard.Service
	totals *kvstore.WriteBehind
	played atomic.Int64
	log    *slog.Logger
}

func New(l *kvstore.Logged, board *leaderboard.Service, totals *kvstore.WriteBehind, log *slog.Logger) *Service {
	return &Service{kv: l, board: board, totals: totals, log: log}
}

// HandleWebhook serves POST /hooks/match-result. Game servers retry until
// they get a 2xx, so each delivery carries an Idempotency-Key.
func (s *Service) HandleWebhook(w http.ResponseWriter, r *http.Request) {
	id := r.Header.Get("Idempotency-Key")
	if id == "" {
		http.Error(w, "missing Idempotency-Key", http.StatusBadRequest)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	hookKey := keys.Hooks.Child("match").With(id).String()
	if _, err := s.kv.Get(ctx, hookKey); err == nil {
		return
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		http.Error(w, "kv unavailable", http.StatusBadGateway)
		return
	}
	var res Result
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&res); err != nil || res.MatchID == "" {
		http.Error(w, "bad result", http.StatusBadRequest)
		return
	}
	if err := s.ingest(ctx, res); err != nil {
		s.log.ErrorContext(ctx, "ingest", "match", res.MatchID, "err", err)
		http.Error(w, "ingest failed", http.StatusInternalServerError)
		return
	}
	if err := s.kv.Put(ctx, hookKey, []byte(time.Now().UTC().Format(time.RFC3339)), 72*time.Hour); err != nil { // DEBATABLE kvrace
		s.log.WarnContext(ctx, "idempotency marker", "err", err)
	}
	if err := s.kv.Put(ctx, keys.Stats.Child("last-ingest").String(), []byte(res.MatchID), 0); err != nil { // EXPECT kvhotkey
		s.log.WarnContext(ctx, "last-ingest", "err", err)
	}
	w.WriteHeader(http.StatusAccepted)
}

func (s *Service) ingest(ctx context.Context, res Result) error {
	uow := kvstore.NewUnitOfWork(s.kv)
	body, _ := json.Marshal(res)
	uow.Put(keys.Matches.With(res.MatchID).String(), body, 180*24*time.Hour)
	uow.Put(keys.Matches.With(res.MatchID).Child("server-hold").String(), []byte(res.Server), 30*time.Second) // EXPECT kvttl
	rosterKey := keys.Matches.With(res.MatchID).Child("roster").String()
	var roster []string
	for i, p := range append(res.Winners, res.Losers...) {
		if err := s.record(ctx, uow, p, res, i < len(res.Winners)); err != nil {
			return err
		}
		uow.Put(keys.Players.With(p).Child("last-match").String(), []byte(res.MatchID), 30*24*time.Hour)
		roster = append(roster, p)
		rb, _ := json.Marshal(roster)
		uow.Put(rosterKey, rb, 180*24*time.Hour)
	}
	if err := uow.Commit(ctx); err != nil {
		return err
	}
	n := s.played.Add(1)
	s.totals.Set(keys.Day{Base: keys.Stats.Child("match-count"), At: res.Ended}.String(), []byte(strconv.FormatInt(n, 10)), 0) // EXPECT kvcounter
	return s.board.Record(ctx, res.Season, res.Mode, res.Winners, pointsPerWin)
}

func (s *Service) record(ctx context.Context, uow *kvstore.UnitOfWork, player string, res Result, won bool) error {
	key := keys.Players.With(player).Child("stats").String()
	var st Stats
	raw, err := uow.Get(ctx, key)
	if err == nil {
		err = json.Unmarshal(raw, &st)
	}
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return fmt.Errorf("stats of %s: %w", player, err)
	}
	if won {
		st.Wins++
	} else {
		st.Losses++
	}
	st.LastMatch, st.Updated = res.MatchID, res.Ended
	body, _ := json.Marshal(st)
	uow.Put(key, body, 0) // EXPECT kvrace
	return nil
}

// Rematch offers the players another match for a short window after the end
// screen. Game servers tune the window per mode.
func (s *Service) Rematch(ctx context.Context, res Result, window time.Duration) error {
	players, _ := json.Marshal(append(res.Winners, res.Losers...))
	key := keys.Matches.With(res.MatchID).Child("rematch").String()
	return s.kv.Put(ctx, key, players, max(2*window, 3*time.Second)) // EXPECT kvttl
}

// Reserve holds a game server slot for a lobby that is about to start.
func (s *Service) Reserve(ctx context.Context, server, lobby string) error {
	c := s.kv.Client()
	_, err := c.API().Values.Update(ctx, c.Namespace(), keys.Matches.Child("reservation").With(server).String(), kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(c.AccountID()),
		Value:      cloudflare.F(lobby),
		Expiration: cloudflare.F(float64(time.Now().Add(30 * time.Second).Unix())), // EXPECT kvttl
	})
	return err
}

// ReplayManifest returns the replay manifest the game server published for a
// match.
func (s *Service) ReplayManifest(ctx context.Context, matchID string) ([]byte, error) {
	c := s.kv.Client()
	key := keys.Matches.With(matchID).Child("replay").String()
	res, err := c.API().Values.Get(ctx, c.Namespace(), key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(c.AccountID())})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	manifest, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if len(manifest) > 0 { // EXPECT kvnull
		return manifest, nil
	}
	return nil, fmt.Errorf("match %s: replay not published yet", matchID)
}
