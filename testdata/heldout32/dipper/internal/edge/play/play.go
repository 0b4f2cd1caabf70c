//go:build js && wasm

// Package play handles what players do during a round: answering and
// reading the scoreboard.
package play

import (
	"fmt"
	"log"
	"net/http"
	"strconv"
	"time"

	"github.com/quizfleet/dipper/internal/edge/journal"
	"github.com/quizfleet/dipper/internal/edge/lobby"
	"github.com/quizfleet/dipper/internal/edge/quiz"
	"github.com/quizfleet/dipper/internal/edge/session"
	"github.com/quizfleet/dipper/internal/edge/store"
	"github.com/quizfleet/dipper/internal/events"
	"github.com/quizfleet/dipper/internal/kvkey"
	"github.com/quizfleet/dipper/internal/web"
)

const (
	answerTTL  = 6 * time.Hour
	basePoints = 1000
)

var errRoundClosed = web.Fail(http.StatusConflict, "this round is closed")

// Register adds the play routes to mux.
func Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /lobbies/{code}/rounds/{round}/answers", web.Handle(submitAnswer))
	mux.HandleFunc("GET /lobbies/{code}/scoreboard", web.Handle(scoreboard))
	mux.HandleFunc("POST /lobbies/{code}/scoreboard/rebuild", web.Handle(rebuild))
}

type answerRecord struct {
	Lobby  string    `json:"lobby"`
	Round  int       `json:"round"`
	Player string    `json:"player"`
	Choice int       `json:"choice"`
	At     time.Time `json:"at"`
}

func (a answerRecord) KVKey() string {
	return fmt.Sprintf("answer/%s/%d/%s", a.Lobby, a.Round, a.Player)
}

// roundOpen reports whether the round still takes answers: its deadline key
// exists until the round ends.
func roundOpen(code string, round int) (bool, error) {
	d := lobby.Deadline{Lobby: code, Round: round}
	v, err := store.Lobbies().GetString(kvkey.Of(d), nil) // EXPECT kvnull
	if err != nil {
		return false, err
	}
	return v != "", nil
}

func submitAnswer(w http.ResponseWriter, r *http.Request) (any, error) {
	p, err := session.CurrentPlayer(r)
	if err != nil {
		return nil, err
	}
	code := r.PathValue("code")
	round, err := strconv.Atoi(r.PathValue("round"))
	if err != nil || round < 1 {
		return nil, web.Fail(http.StatusBadRequest, "bad round")
	}
	var body struct {
		Choice int `json:"choice"`
	}
	if err := web.Decode(r, &body); err != nil {
		return nil, err
	}
	if open, err := roundOpen(code, round); err != nil || !open {
		return nil, errRoundClosed
	}
	l, err := lobby.Load(code)
	if err != nil {
		return nil, err
	}
	q, err := quiz.Get(r.Context(), l.QuizID)
	if err != nil {
		return nil, err
	}
	if round > len(q.Questions) {
		return nil, web.Fail(http.StatusNotFound, "unknown question")
	}
	now := time.Now().UTC()
	rec := answerRecord{Lobby: code, Round: round, Player: p.ID, Choice: body.Choice, At: now}
	if _, found, err := store.Get(store.Lobbies(), rec.KVKey()); err != nil {
		return nil, err
	} else if found {
		return nil, web.Fail(http.StatusConflict, "already answered")
	}
	if err := store.PutJSON(store.Lobbies(), rec.KVKey(), rec, answerTTL); err != nil { // EXPECT kvrace
		return nil, err
	}

	question := q.Questions[round-1]
	elapsed := now.Sub(l.RoundEndsAt.Add(-l.RoundLength))
	correct := body.Choice == question.Answer
	points := 0
	if correct {
		points = score(question.Points, elapsed, l.RoundLength)
	}
	submitted, _ := events.New(events.AnswerSubmitted, code, now, events.Submitted{Choice: body.Choice, ElapsedMs: int(elapsed.Milliseconds())})
	scored, _ := events.New(events.AnswerScored, code, now, events.Scored{Nickname: p.Nickname, Points: points, Correct: correct})
	submitted.Player, submitted.Round = p.ID, round
	scored.Player, scored.Round = p.ID, round
	if err := journal.Append(submitted, scored); err != nil {
		return nil, err
	}

	status := fmt.Sprintf("status/%s/%s", code, p.ID)
	if err := store.PutJSON(store.Lobbies(), status, "answered", max(time.Until(l.RoundEndsAt), 3*time.Second)); err != nil { // EXPECT kvttl
		log.Printf("%s: %v", status, err)
	}
	feed := map[string]any{"lobby": code, "round": round, "nickname": p.Nickname, "correct": correct, "at": now}
	if err := store.PutJSON(store.Stats(), "feed/latest-answer", feed, 0); err != nil { // EXPECT kvhotkey
		log.Printf("feed: %v", err)
	}
	return web.Created{V: map[string]any{"correct": correct, "points": points}}, nil
}

// score gives full points for an instant answer and half for one at the
// buzzer.
func score(base int, elapsed, length time.Duration) int {
	if base == 0 {
		base = basePoints
	}
	if length <= 0 || elapsed < 0 {
		return base
	}
	frac := min(float64(elapsed)/float64(length), 1)
	return int(float64(base) * (1 - frac/2))
}

func scoreboard(w http.ResponseWriter, r *http.Request) (any, error) {
	b := &journal.Scoreboard{Lobby: r.PathValue("code")}
	found, err := store.Load(store.Lobbies(), b)
	if err != nil {
		return nil, err
	}
	if !found {
		b.Entries = []journal.ScoreEntry{}
	}
	return b, nil
}

func rebuild(w http.ResponseWriter, r *http.Request) (any, error) {
	host, err := session.RequireHost(r)
	if err != nil {
		return nil, err
	}
	l, err := lobby.Load(r.PathValue("code"))
	if err != nil {
		return nil, err
	}
	if l.HostID != host.HostID {
		return nil, web.Fail(http.StatusForbidden, "not your lobby")
	}
	return journal.Rebuild(l.Code)
}
