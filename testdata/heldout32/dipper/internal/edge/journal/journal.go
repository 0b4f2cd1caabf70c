//go:build js && wasm

// Package journal appends game events to a lobby's journal and keeps the
// lobby read models (roster, scoreboard, answer log, round summaries) that
// projectors derive from them. Every appended event is also forwarded to the
// analytics queue.
package journal

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/queues"

	"github.com/quizfleet/dipper/internal/edge/platform"
	"github.com/quizfleet/dipper/internal/edge/store"
	"github.com/quizfleet/dipper/internal/events"
)

const (
	eventTTL     = 7 * 24 * time.Hour
	readModelTTL = 24 * time.Hour
)

// A projector applies one event to the read models it owns.
type projector func(ev events.Event) error

var projectors = map[events.Type][]projector{}

func on(t events.Type, p projector) { projectors[t] = append(projectors[t], p) }

func init() {
	on(events.PlayerJoined, projectRoster)
	on(events.PlayerLeft, projectRoster)
	on(events.AnswerSubmitted, projectAnswerLog)
	on(events.AnswerScored, projectScoreboard)
	on(events.RoundClosed, projectRoundSummary)
}

// EventPrefix is the key prefix of a lobby's journal.
func EventPrefix(lobby string) string { return "events/" + lobby + "/" }

// Append journals evs in order, runs their projectors and forwards them to
// analytics.
func Append(evs ...events.Event) error {
	batch := make([]*queues.BatchMessage, 0, len(evs))
	for i := range evs {
		ev := &evs[i]
		if ev.ID == "" {
			ev.ID = events.NewID(ev.At)
		}
		if err := store.PutJSON(store.Lobbies(), EventPrefix(ev.Lobby)+ev.ID, ev, eventTTL); err != nil {
			return fmt.Errorf("journal: append %s: %w", ev.Type, err)
		}
		for _, p := range projectors[ev.Type] {
			if err := p(*ev); err != nil {
				return fmt.Errorf("journal: project %s %s: %w", ev.Type, ev.ID, err)
			}
		}
		batch = append(batch, queues.NewJSONBatchMessage(ev))
	}
	q, err := platform.Analytics()
	if err != nil {
		return err
	}
	return q.SendBatch(batch)
}

// Roster is the list of players in a lobby.
type Roster struct {
	_       struct{}      `kv:"roster/{Lobby}"`
	Lobby   string        `json:"lobby"`
	Players []RosterEntry `json:"players"`
}

// RosterEntry is one player of a roster.
type RosterEntry struct {
	ID       string    `json:"id"`
	Nickname string    `json:"nickname"`
	Joined   time.Time `json:"joined"`
}

func projectRoster(ev events.Event) error {
	r := &Roster{Lobby: ev.Lobby}
	if _, err := store.Load(store.Lobbies(), r); err != nil {
		return err
	}
	switch ev.Type {
	case events.PlayerJoined:
		if slices.ContainsFunc(r.Players, func(p RosterEntry) bool { return p.ID == ev.Player }) {
			return nil
		}
		var d events.Joined
		if err := ev.Decode(&d); err != nil {
			return err
		}
		r.Players = append(r.Players, RosterEntry{ID: ev.Player, Nickname: d.Nickname, Joined: ev.At})
	case events.PlayerLeft:
		r.Players = slices.DeleteFunc(r.Players, func(p RosterEntry) bool { return p.ID == ev.Player })
	}
	return store.Save(store.Lobbies(), r, readModelTTL) // EXPECT kvrace
}

// Scoreboard is a lobby's running scores, highest first.
type Scoreboard struct {
	_       struct{}     `kv:"scoreboard/{Lobby}"`
	Lobby   string       `json:"lobby"`
	Round   int          `json:"round"`
	Entries []ScoreEntry `json:"entries"`
}

// ScoreEntry is one row of a scoreboard.
type ScoreEntry struct {
	Player   string `json:"player"`
	Nickname string `json:"nickname"`
	Points   int    `json:"points"`
	Correct  int    `json:"correct"`
}

func (b *Scoreboard) apply(ev events.Event) error {
	var s events.Scored
	if err := ev.Decode(&s); err != nil {
		return err
	}
	i := slices.IndexFunc(b.Entries, func(e ScoreEntry) bool { return e.Player == ev.Player })
	if i < 0 {
		b.Entries = append(b.Entries, ScoreEntry{Player: ev.Player, Nickname: s.Nickname})
		i = len(b.Entries) - 1
	}
	b.Entries[i].Points += s.Points
	if s.Correct {
		b.Entries[i].Correct++
	}
	b.Round = max(b.Round, ev.Round)
	slices.SortStableFunc(b.Entries, func(x, y ScoreEntry) int { return y.Points - x.Points })
	return nil
}

func projectScoreboard(ev events.Event) error {
	b := &Scoreboard{Lobby: ev.Lobby}
	if _, err := store.Load(store.Lobbies(), b); err != nil {
		return err
	}
	if err := b.apply(ev); err != nil {
		return err
	}
	return store.Save(store.Lobbies(), b, readModelTTL) // EXPECT kvrace
}

// AnswerLogKey is the key of a round's answer log: one JSON event per line,
// which the host's review screen streams.
func AnswerLogKey(lobby string, round int) string {
	return "answerlog/" + lobby + "/" + strconv.Itoa(round)
}

func projectAnswerLog(ev events.Event) error {
	key := AnswerLogKey(ev.Lobby, ev.Round)
	prev, err := store.Lobbies().GetString(key, nil)
	if err != nil {
		return err
	}
	if prev == store.Null {
		prev = ""
	}
	line, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	return store.Lobbies().PutString(key, prev+string(line)+"\n", &cloudflare.KVNamespacePutOptions{ExpirationTTL: 86400}) // EXPECT kvrace
}

// RoundSummary is what the reveal screen shows after a round.
type RoundSummary struct {
	Lobby    string    `json:"lobby"`
	Round    int       `json:"round"`
	Question string    `json:"question"`
	Answer   int       `json:"answer"`
	Closed   time.Time `json:"closed"`
}

func projectRoundSummary(ev events.Event) error {
	var c events.Closed
	if err := ev.Decode(&c); err != nil {
		return err
	}
	s := RoundSummary{Lobby: ev.Lobby, Round: ev.Round, Question: c.Question, Answer: c.Answer, Closed: ev.At}
	return store.PutJSON(store.Lobbies(), fmt.Sprintf("summary/%s/%d", ev.Lobby, ev.Round), s, readModelTTL)
}
