//go:build js && wasm

// Package lobby runs a game lobby through its lifecycle. A lobby's state is
// stored in KV; every change goes through Fire, which looks the next state
// up in the transition table and runs that state's entry handler.
package lobby

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"

	"github.com/quizfleet/dipper/internal/edge/journal"
	"github.com/quizfleet/dipper/internal/edge/quiz"
	"github.com/quizfleet/dipper/internal/edge/store"
	"github.com/quizfleet/dipper/internal/events"
	"github.com/quizfleet/dipper/internal/kvkey"
	"github.com/quizfleet/dipper/internal/web"
)

// State is where a lobby is in its lifecycle.
type State string

const (
	Waiting   State = "waiting"
	Countdown State = "countdown"
	InRound   State = "in_round"
	Reviewing State = "reviewing"
	Finished  State = "finished"
	Abandoned State = "abandoned"
)

// Event moves a lobby from one state to another.
type Event string

const (
	EvStart         Event = "start"
	EvCountdownDone Event = "countdown_done"
	EvRoundTimeout  Event = "round_timeout"
	EvAllAnswered   Event = "all_answered"
	EvNextRound     Event = "next_round"
	EvLastRound     Event = "last_round"
	EvHostLeft      Event = "host_left"
)

var transitions = map[State]map[Event]State{
	Waiting:   {EvStart: Countdown, EvHostLeft: Abandoned},
	Countdown: {EvCountdownDone: InRound, EvHostLeft: Abandoned},
	InRound:   {EvRoundTimeout: Reviewing, EvAllAnswered: Reviewing, EvHostLeft: Abandoned},
	Reviewing: {EvNextRound: Countdown, EvLastRound: Finished, EvHostLeft: Abandoned},
}

type enterFunc func(l *Lobby, now time.Time) error

var onEnter = map[State]enterFunc{
	Countdown: enterCountdown,
	InRound:   enterRound,
	Reviewing: enterReview,
	Finished:  enterFinished,
	Abandoned: enterAbandoned,
}

const (
	lobbyTTL        = 6 * time.Hour
	countdownLength = 5 * time.Second
	revealLength    = 15 * time.Second
)

var ErrNoLobby = web.Fail(http.StatusNotFound, "no such lobby")

// TransitionError reports an event that the lobby's state does not accept.
type TransitionError struct {
	From  State
	Event Event
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("lobby: %s does not accept %s", e.From, e.Event)
}

// Lobby is one game.
type Lobby struct {
	_           struct{}      `kv:"lobby/{Code}"`
	Code        string        `json:"code"`
	JoinCode    string        `json:"join_code"`
	HostID      string        `json:"host_id"`
	QuizID      string        `json:"quiz_id"`
	State       State         `json:"state"`
	Round       int           `json:"round"`
	Rounds      int           `json:"rounds"`
	RoundLength time.Duration `json:"round_length"`
	RoundEndsAt time.Time     `json:"round_ends_at,omitzero"`
	Created     time.Time     `json:"created"`
	Updated     time.Time     `json:"updated"`
}

// Deadline marks a round as open; it expires when the round closes.
type Deadline struct {
	_      struct{}  `kv:"deadline/{Lobby}/{Round}"`
	Lobby  string    `json:"lobby"`
	Round  int       `json:"round"`
	EndsAt time.Time `json:"ends_at"`
}

// Load reads a lobby.
func Load(code string) (*Lobby, error) {
	l := &Lobby{Code: code}
	ok, err := store.Load(store.Lobbies(), l)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrNoLobby
	}
	return l, nil
}

// Fire applies ev to the lobby and returns its new state.
func Fire(code string, ev Event, now time.Time) (*Lobby, error) {
	l, err := Load(code)
	if err != nil {
		return nil, err
	}
	next, ok := transitions[l.State][ev]
	if !ok {
		return nil, &TransitionError{From: l.State, Event: ev}
	}
	prev := l.State
	l.State, l.Updated = next, now
	if enter := onEnter[next]; enter != nil {
		if err := enter(l, now); err != nil {
			return nil, fmt.Errorf("lobby %s: %s -> %s: %w", code, prev, next, err)
		}
	}
	if err := store.Save(store.Lobbies(), l, lobbyTTL); err != nil { // EXPECT kvrace
		return nil, err
	}
	return l, nil
}

func enterCountdown(l *Lobby, now time.Time) error {
	l.Round++
	if l.Round == 1 {
		err := store.Lobbies().PutString("active/"+l.Code, l.HostID, &cloudflare.KVNamespacePutOptions{
			ExpirationTTL: int(lobbyTTL.Seconds()),
		})
		if err != nil {
			return err
		}
	}
	return store.Lobbies().PutString("countdown/"+l.Code, strconv.Itoa(l.Round), &cloudflare.KVNamespacePutOptions{
		Expiration: int(now.Add(countdownLength).Unix()), // EXPECT kvttl
	})
}

func enterRound(l *Lobby, now time.Time) error {
	l.RoundEndsAt = now.Add(l.RoundLength)
	d := Deadline{Lobby: l.Code, Round: l.Round, EndsAt: l.RoundEndsAt}
	return store.PutJSON(store.Lobbies(), kvkey.Of(d), d, time.Until(l.RoundEndsAt)) // EXPECT kvttl
}

func enterReview(l *Lobby, now time.Time) error {
	q, err := quiz.Get(context.Background(), l.QuizID)
	if err != nil {
		return err
	}
	question := q.Questions[l.Round-1]
	ev, err := events.New(events.RoundClosed, l.Code, now, events.Closed{Question: question.Prompt, Answer: question.Answer})
	if err != nil {
		return err
	}
	ev.Round = l.Round
	if err := journal.Append(ev); err != nil {
		return err
	}
	reveal := map[string]any{"round": l.Round, "answer": question.Answer, "choices": question.Choices}
	return store.CachePut(store.Cache(), fmt.Sprintf("reveal/%s/%d", l.Code, l.Round), reveal, revealLength)
}

func enterFinished(l *Lobby, now time.Time) error {
	board := &journal.Scoreboard{Lobby: l.Code}
	if _, err := store.Load(store.Lobbies(), board); err != nil {
		return err
	}
	fin := events.Finished{Quiz: l.QuizID, Rounds: l.Round}
	for _, e := range board.Entries {
		fin.Standings = append(fin.Standings, events.Standing{Player: e.Player, Nickname: e.Nickname, Points: e.Points})
	}
	ev, err := events.New(events.GameFinished, l.Code, now, fin)
	if err != nil {
		return err
	}
	ev.Host = l.HostID
	if err := journal.Append(ev); err != nil {
		return err
	}
	return store.Lobbies().Delete("active/" + l.Code)
}

func enterAbandoned(l *Lobby, _ time.Time) error {
	if err := store.Delete(store.Lobbies(), joinKey(l.JoinCode)); err != nil {
		return err
	}
	return store.Lobbies().Delete("active/" + l.Code)
}
