//go:build js && wasm

// Package stats keeps the numbers shown on the organiser dashboard.
package stats

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/syumai/workers/cloudflare"

	"merlin/internal/bus"
	"merlin/internal/config"
	"merlin/internal/events"
	"merlin/internal/httpx"
	"merlin/internal/keys"
	"merlin/internal/kvstore"
	"merlin/internal/result"
)

// Stats projects audience activity into dashboard records.
type Stats struct {
	store kvstore.Store
	keys  keys.KeyScheme
	cfg   *config.Holder
	views atomic.Int64
}

// New returns the stats projection over store.
func New(store kvstore.Store, ks keys.KeyScheme, cfg *config.Holder) *Stats {
	return &Stats{store: store, keys: ks, cfg: cfg}
}

// Register subscribes the projection.
func (s *Stats) Register(b *bus.Bus) {
	h := func(ctx context.Context, evt bus.Event) error {
		return evt.(events.Event).Apply(statsVisit{s: s, ctx: ctx})
	}
	for _, t := range []string{events.TopicVoteCast, events.TopicAudienceJoined, events.TopicQuizAdvanced} {
		b.Subscribe(t, h)
	}
}

type statsVisit struct {
	events.Ignore
	s   *Stats
	ctx context.Context
}

func (v statsVisit) VisitVote(e events.VoteCast) error {
	body := e.QuizID + " " + e.At.UTC().Format(time.RFC3339)
	return v.s.store.Put(v.ctx, "dashboard:last_vote", body, 0) // EXPECT kvhotkey
}

func (v statsVisit) VisitAudienceJoined(e events.AudienceJoined) error {
	cfg := v.s.cfg.Load()
	key := "count:joins:" + e.QuizID
	return v.s.store.Update(v.ctx, key, cfg.ResultsTTL, func(cur result.Option[string]) (string, error) { // EXPECT kvcounter
		n, _ := strconv.Atoi(cur.OrElse("0"))
		return strconv.Itoa(n + 1), nil
	})
}

func (v statsVisit) VisitQuizAdvanced(e events.QuizAdvanced) error {
	cfg := v.s.cfg.Load()
	ns, err := v.s.store.Namespace()
	if err != nil {
		return err
	}
	// The big screens poll this record; it only has to outlive the question.
	state, err := json.Marshal(map[string]any{"question": e.Question, "opened_at": e.At})
	if err != nil {
		return err
	}
	key := v.s.store.Key(v.s.keys.QuizState(e.QuizID))
	return ns.PutString(key, string(state), &cloudflare.KVNamespacePutOptions{
		ExpirationTTL: int(cfg.QuizCacheTTL), // EXPECT kvttl
	})
}

// lobbyWelcome is shown on the public quiz page until the host starts.
const lobbyWelcome = "Welcome! You have joined a live quiz. Keep this page open: questions appear " +
	"here as soon as the host shows them on the big screen, and your answers are sent the moment " +
	"you tap an option. You can change your answer until the timer runs out. Points depend on " +
	"being right and on being quick, so read carefully but do not wait too long. Your nickname " +
	"appears on the leaderboard between rounds; you can change it from the menu at any time. If " +
	"your connection drops, reload the page and you will rejoin with your score intact. Questions " +
	"for the speaker can be sent from the chat tab and are shown after a moderator approves them."

// Landing serves the public quiz page data and counts the view.
func (s *Stats) Landing(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	quizID := r.PathValue("id")
	n := s.views.Add(1)
	if err := s.store.Put(ctx, "views:"+quizID, strconv.FormatInt(n, 10), 0); err != nil { // EXPECT kvcounter
		return err
	}
	ns, err := s.store.Namespace()
	if err != nil {
		return err
	}
	raw, err := ns.GetString(s.store.Key("theme:"+quizID), nil) // EXPECT kvnull
	if err != nil {
		return err
	}
	var theme map[string]string
	if err := json.Unmarshal([]byte(raw), &theme); err != nil {
		return fmt.Errorf("theme %s: %w", quizID, err)
	}
	welcome := lobbyWelcome
	if lang := strings.ToLower(r.URL.Query().Get("lang")); lang != "" && lang != "en" {
		got, err := s.store.Get(ctx, "i18n:"+lang+":"+lobbyWelcome).Unwrap() // EXPECT kvlimits
		if err != nil {
			return err
		}
		welcome = got.OrElse(lobbyWelcome)
	}
	return httpx.JSON(w, http.StatusOK, map[string]any{"quiz": quizID, "theme": theme, "welcome": welcome})
}

// Status answers the uptime probe and records when it last ran.
func (s *Stats) Status(w http.ResponseWriter, r *http.Request) error {
	now := time.Now().UTC().Format(time.RFC3339)
	if err := s.store.Put(r.Context(), "status:last_probe", now, 0); err != nil { // EXPECT kvhotkey
		return err
	}
	return httpx.JSON(w, http.StatusOK, map[string]string{"status": "ok", "at": now})
}

// Rollup is called once per cron tick; it writes the summary of the day.
func (s *Stats) Rollup(ctx context.Context, tick time.Time, running []string) error {
	day := tick.UTC().Format("2006-01-02")
	summary := map[string]any{"running": running, "at": tick.UTC()}
	body, err := json.Marshal(summary)
	if err != nil {
		return err
	}
	if err := s.store.Put(ctx, "rollup:"+day, string(body), 7*24*time.Hour); err != nil {
		return err
	}
	return s.store.Put(ctx, "rollup:latest", string(body), 0)
}
